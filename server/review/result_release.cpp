#include "server/review/result_release.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/outbox_order.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"

namespace hemalink::review {

using store::bigint_array;
using store::error_from_current_exception;
using store::queue_released_results;
using store::StoreError;
using store::text_array;

using records::LisRoutes;

namespace {

constexpr const char* kRetire =
    "UPDATE decisions SET is_current = false WHERE is_current AND decision <> 'release'"
    " AND result_id = ANY ($1::bigint[]) RETURNING result_id, decision";

constexpr const char* kDecide =
    "INSERT INTO decisions (result_id, decision, decided_by, reason)"
    " SELECT unnest($1::bigint[]), 'release', $2, $3";

constexpr const char* kAudit =
    "INSERT INTO audit_log (actor, action, entity, entity_id, before, after)"
    " SELECT $1, 'release', 'result', t.id::text, jsonb_build_object('decision', t.was),"
    " jsonb_build_object('decision', 'release', 'reason', $2::text)"
    " FROM unnest($3::bigint[], $4::text[]) AS t (id, was)";

}  // namespace

Result<std::vector<long long>, StoreError> release_results(const std::string& dsn,
                                                           const LisRoutes& routes,
                                                           const ResultRelease& release) {
  try {
    pqxx::connection c(dsn);
    pqxx::work tx(c);
    const auto ids = bigint_array(release.result_ids);
    std::vector<long long> released;
    std::vector<std::string> was;
    for (const auto& row : tx.exec_params(kRetire, ids)) {
      released.push_back(row[0].as<long long>());
      was.push_back(row[1].as<std::string>());
    }
    if (!released.empty()) {
      const auto released_ids = bigint_array(released);
      tx.exec_params(kDecide, released_ids, release.actor, release.reason);
      tx.exec_params(kAudit, release.actor, release.reason, released_ids, text_array(was));
      queue_released_results(tx, routes, released);
    }
    tx.commit();
    return released;
  } catch (...) {
    return error_from_current_exception(
        fmt::format("releasing {} result(s)", release.result_ids.size()));
  }
}

}  // namespace hemalink::review
