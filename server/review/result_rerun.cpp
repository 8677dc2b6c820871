#include "server/review/result_rerun.hpp"

#include <pqxx/pqxx>

namespace hemalink::review {
namespace {

// The tests locked first, in id order, as every transaction that changes several takes them
// (order_book.cpp).
constexpr const char* kLockTests =
    "SELECT t.id FROM results r JOIN orders o ON o.specimen_id = r.specimen_id"
    " JOIN order_tests t ON t.order_id = o.id AND t.code = r.code WHERE r.id = $1"
    " ORDER BY t.id FOR NO KEY UPDATE OF t";

constexpr const char* kOrderAgain =
    "UPDATE order_tests t SET status = 'ordered', status_reason = $2, status_at = now()"
    " FROM orders o, results r WHERE r.id = $1 AND NOT r.is_qc AND t.order_id = o.id"
    " AND o.specimen_id = r.specimen_id AND t.code = r.code AND t.is_mapped"
    " AND t.status IN ('sent', 'acknowledged', 'resulted') RETURNING o.specimen_id";

}  // namespace

std::string order_result_again(pqxx::transaction_base& tx, long long result_id,
                               std::string_view actor, std::string_view why) {
  const auto actor_before = tx.exec1("SELECT current_setting('hemalink.actor', true)")[0];
  tx.exec_params("SELECT set_config('hemalink.actor', $1, true)", std::string(actor));
  tx.exec_params(kLockTests, result_id);
  const auto ordered = tx.exec_params(kOrderAgain, result_id, "rerun: " + std::string(why));
  tx.exec_params("SELECT set_config('hemalink.actor', $1, true)",
                 actor_before.is_null() ? std::string() : actor_before.as<std::string>());
  return ordered.empty() ? std::string() : ordered[0][0].as<std::string>();
}

}  // namespace hemalink::review
