#include "server/orders/result_order_matching.hpp"

#include "server/orders/order_book.hpp"

namespace hemalink::orders {

void match_results_with_order_book(ingest::MessageReader& reader, const std::string& dsn,
                                   const OrdersConfig& orders) {
  reader.set_order_matching(
      [dsn](const std::vector<std::string>& ids)
          -> std::optional<std::vector<records::PendingOrder>> {
        auto orders = orders_on_specimens(dsn, ids);
        if (!orders) {
          return std::nullopt;
        }
        return std::move(*orders);
      },
      {orders.hold_results_not_ordered, orders.hold_specimens_without_order});
}

}  // namespace hemalink::orders
