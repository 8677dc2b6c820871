#include "server/orders/orders_config.hpp"

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::orders {

void read_orders_config(files::JsonFields& top, OrdersConfig& orders) {
  const nlohmann::json* node = top.object("orders");
  if (node == nullptr) {
    return;
  }
  files::JsonFields f(*node, top.path_of("orders"), top.errors());
  f.boolean("hold_results_not_ordered", orders.hold_results_not_ordered);
  f.boolean("hold_specimens_without_order", orders.hold_specimens_without_order);
  f.duration("overdue_after_min", orders.overdue_after, 1, 60 * 24 * 60);
}

}  // namespace hemalink::orders
