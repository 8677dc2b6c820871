#include "server/store/outbox_order.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/sql_arrays.hpp"

namespace hemalink::store {

using records::LisRoutes;

namespace {

const std::string kLockSpecimens = fmt::format(
    "SELECT count(pg_advisory_xact_lock({}, t.k)) FROM"
    " (SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) AS s ORDER BY 1) AS t",
    kSpecimenLockClass);

const char* const kQueue =
    "INSERT INTO outbox (destination, specimen_row_id, specimen_id, result_ids)"
    " SELECT $1, r.specimen_row_id, s.specimen_id, array_agg(r.id ORDER BY r.id)"
    " FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
    " JOIN analyzers a ON a.id = s.analyzer_id"
    " WHERE r.id = ANY ($2::bigint[]) AND s.kind = 'patient'"
    " AND (cardinality($3::text[]) = 0 OR a.name = ANY ($3::text[]))"
    " GROUP BY r.specimen_row_id, s.specimen_id ORDER BY r.specimen_row_id";

const char* const kSpecimensOf =
    "SELECT DISTINCT s.specimen_id FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
    " WHERE r.id = ANY ($1::bigint[])";

}  // namespace

void lock_specimens_for_outbox(pqxx::transaction_base& tx, const std::set<std::string>& specimens) {
  if (!specimens.empty()) {
    tx.exec_params(kLockSpecimens, text_array(specimens));
  }
}

void lock_specimens_of_results(pqxx::transaction_base& tx, const std::vector<long long>& results) {
  if (results.empty())
    return;
  std::set<std::string> specimens;
  for (const auto& row : tx.exec_params(kSpecimensOf, bigint_array(results))) {
    specimens.insert(row[0].as<std::string>());
  }
  lock_specimens_for_outbox(tx, specimens);
}

void queue_released_results(pqxx::transaction_base& tx, const LisRoutes& routes,
                            const std::vector<long long>& released) {
  if (released.empty())
    return;
  lock_specimens_of_results(tx, released);
  const auto ids = bigint_array(released);
  for (const auto& route : routes) {
    tx.exec_params(kQueue, route.destination, ids, text_array(route.analyzers));
  }
}

}  // namespace hemalink::store
