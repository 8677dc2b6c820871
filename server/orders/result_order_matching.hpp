#pragma once

#include <string>

#include "server/ingest/message_reader.hpp"
#include "server/orders/orders_config.hpp"

namespace hemalink::orders {

/// For a lab that takes orders from a LIS: `reader` matches each message's results with the
/// orders of the order book (in the database `dsn`) on their specimens; what was not ordered, or a
/// specimen with no order, is held as `orders` says.
void match_results_with_order_book(ingest::MessageReader& reader, const std::string& dsn,
                                   const OrdersConfig& orders);

}  // namespace hemalink::orders
