#pragma once

#include <chrono>

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::orders {

/// How results are matched to the orders from the LIS ("orders"; in force when a LIS has an
/// order feed).
struct OrdersConfig {
  bool hold_results_not_ordered = true;
  bool hold_specimens_without_order = true;
  /// An order with tests still pending this long after it came is listed as overdue.
  std::chrono::minutes overdue_after{240};
};

/// Reads the configuration's `orders` object, when present, into `orders`; errors go to `top`'s
/// list with their JSON paths.
void read_orders_config(files::JsonFields& top, OrdersConfig& orders);

}  // namespace hemalink::orders
