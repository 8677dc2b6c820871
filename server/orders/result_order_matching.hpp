#pragma once

#include "server/config/daemon_config.hpp"
#include "server/ingest/message_reader.hpp"

namespace hemalink::orders {

/// When the configuration takes orders from a LIS, `reader` matches each message's results with
/// the orders of the order book on their specimens (what was not ordered, or a specimen with no
/// order, is held as `orders` says); otherwise it leaves the reader as it is.
void match_results_with_order_book(ingest::MessageReader& reader,
                                   const config::DaemonConfig& config);

}  // namespace hemalink::orders
