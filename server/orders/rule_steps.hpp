#pragma once

#include <vector>

#include "server/orders/order_book.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::orders {

/// What the decisions of a stored message ask the analyzers to do on each patient specimen: the
/// results decided `rerun` run again, the tests a `reflex` rule names added. Specimens with
/// neither have no entry.
std::vector<records::OrderSteps> order_steps_of(const records::MessageContent& content);

}  // namespace hemalink::orders
