#include "server/store/result_release.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>
#include <set>

#include "server/store/outbox_order.hpp"
#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"

namespace hemalink::store {
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

constexpr const char* kQueue =
    "INSERT INTO outbox (destination, specimen_row_id, specimen_id, result_ids)"
    " SELECT $1, r.specimen_row_id, s.specimen_id, array_agg(r.id ORDER BY r.id)"
    " FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
    " JOIN analyzers a ON a.id = s.analyzer_id"
    " WHERE r.id = ANY ($2::bigint[]) AND s.kind = 'patient'"
    " AND (cardinality($3::text[]) = 0 OR a.name = ANY ($3::text[]))"
    " GROUP BY r.specimen_row_id, s.specimen_id ORDER BY r.specimen_row_id";

constexpr const char* kSpecimensOf =
    "SELECT DISTINCT s.specimen_id FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
    " WHERE r.id = ANY ($1::bigint[])";

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
      std::set<std::string> specimens;
      for (const auto& row : tx.exec_params(kSpecimensOf, released_ids)) {
        specimens.insert(row[0].as<std::string>());
      }
      lock_specimens_for_outbox(tx, specimens);
      for (const auto& route : routes) {
        tx.exec_params(kQueue, route.destination, released_ids, text_array(route.analyzers));
      }
    }
    tx.commit();
    return released;
  } catch (...) {
    return error_from_current_exception(
        fmt::format("releasing {} result(s)", release.result_ids.size()));
  }
}

}  // namespace hemalink::store
