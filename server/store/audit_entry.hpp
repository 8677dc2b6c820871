#pragma once

#include <string>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::store {

/// One row of audit_log, for changes that are not the database's own (a rule set put in force).
/// `before` and `after` are JSON text, or empty for null.
struct AuditEntry {
  std::string actor;  ///< user:NAME, system:PART
  std::string action;
  std::string entity;
  std::string entity_id;
  std::string before;
  std::string after;
};

Result<void, StoreError> append_audit(const std::string& dsn, const AuditEntry& entry);

}  // namespace hemalink::store
