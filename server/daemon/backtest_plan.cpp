#include "server/daemon/backtest_plan.hpp"

#include "server/ingest/configured_message_reader.hpp"

namespace hemalink::daemon {

Result<validation::BacktestPlan, files::FileErrors> backtest_plan(const DaemonConfig& config) {
  auto reader = ingest::configured_message_reader(config.analyzers, {}, config.qc);
  if (!reader) {
    return reader.error();
  }
  validation::BacktestPlan plan;
  plan.control_book = (*reader)->control_book();
  plan.gate_policy = {config.qc.hold_out, config.qc.hold_unknown};
  plan.order_policy = {config.orders.hold_results_not_ordered,
                       config.orders.hold_specimens_without_order};
  plan.takes_orders = takes_orders(config);
  plan.history_capacity = config.rules.recent_results_capacity;
  return plan;
}

}  // namespace hemalink::daemon
