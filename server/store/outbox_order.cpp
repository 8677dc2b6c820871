#include "server/store/outbox_order.hpp"

#include <pqxx/pqxx>

#include "server/store/sql_arrays.hpp"

namespace hemalink::store {
namespace {

// The two-key advisory lock class of specimens: negative, so it meets neither the outbox rows'
// keys (id >> 31, never negative) nor anyone's one-key locks.
constexpr const char* kLockSpecimens =
    "SELECT count(pg_advisory_xact_lock(-1213481807, t.k)) FROM"
    " (SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) AS s ORDER BY 1) AS t";

}  // namespace

void lock_specimens_for_outbox(pqxx::transaction_base& tx, const std::set<std::string>& specimens) {
  if (!specimens.empty()) {
    tx.exec_params(kLockSpecimens, text_array(specimens));
  }
}

}  // namespace hemalink::store
