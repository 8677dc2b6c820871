#include "server/store/audit_entry.hpp"

#include <optional>

#include "server/store/thread_connection.hpp"

namespace hemalink::store {

Result<void, StoreError> append_audit(const std::string& dsn, const AuditEntry& e) {
  auto json_or_null = [](const std::string& text) {
    return text.empty() ? std::optional<std::string>() : std::optional(text);
  };
  return on_thread_connection(
      dsn, "writing the audit log", [&](pqxx::connection& c) -> Result<void, StoreError> {
        pqxx::work tx(c);
        tx.exec_params(
            "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
            e.actor, e.action, e.entity, e.entity_id, json_or_null(e.before),
            json_or_null(e.after));
        tx.commit();
        return {};
      });
}

}  // namespace hemalink::store
