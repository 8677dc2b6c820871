#pragma once

#include <vector>

#include "server/orders/order_book.hpp"
#include "server/orders/work_download.hpp"
#include "server/store/store.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::orders {

/// What the decisions of a stored message ask the analyzers to do on each patient specimen: the
/// results decided `rerun` run again, the tests a `reflex` rule names added. Specimens with
/// neither have no entry.
std::vector<records::OrderSteps> order_steps_of(const records::MessageContent& content);

/// After a commit, on the writer: the reruns and reflexes the rules asked for become order steps
/// in the order book of `dsn`, and the analyzers that take downloads are sent them. A step lost
/// to a crash leaves its result held for review (rerun is not release), where a technologist sees
/// it.
store::CommitHook order_rule_steps(std::string dsn, WorkDownload& downloads);

}  // namespace hemalink::orders
