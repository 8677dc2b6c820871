#include "server/orders/result_order_matching.hpp"

#include "server/orders/order_book.hpp"

namespace hemalink::orders {

void match_results_with_order_book(ingest::MessageReader& reader,
                                   const config::DaemonConfig& config) {
  if (!config::takes_orders(config)) {
    return;
  }
  reader.set_order_matching(
      [dsn = config.database_url](const std::vector<std::string>& ids)
          -> std::optional<std::vector<records::PendingOrder>> {
        auto orders = orders_on_specimens(dsn, ids);
        if (!orders) {
          return std::nullopt;
        }
        return std::move(*orders);
      },
      {config.orders.hold_results_not_ordered, config.orders.hold_specimens_without_order});
}

}  // namespace hemalink::orders
