#include "server/store/outbox_order.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "server/store/sql_arrays.hpp"

namespace hemalink::store {
namespace {

const std::string kLockSpecimens = fmt::format(
    "SELECT count(pg_advisory_xact_lock({}, t.k)) FROM"
    " (SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) AS s ORDER BY 1) AS t",
    kSpecimenLockClass);

}  // namespace

void lock_specimens_for_outbox(pqxx::transaction_base& tx, const std::set<std::string>& specimens) {
  if (!specimens.empty()) {
    tx.exec_params(kLockSpecimens, text_array(specimens));
  }
}

}  // namespace hemalink::store
