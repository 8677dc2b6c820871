#pragma once

#include <vector>

#include "drivers/driver.hpp"
#include "drivers/model/work_order.hpp"
#include "server/orders/order_book.hpp"

namespace hemalink::orders {

/// Every pending test of `pending` (the orders on one specimen) that `driver` can order, as one
/// work order in the analyzer's codes (a code once, however many tests it stands for), with the
/// first order's patient and collection time and the highest priority; the ids of the tests it
/// carries are appended to `test_ids`. No codes: nothing for this analyzer.
model::WorkOrder work_order_of(const drivers::Driver& driver, model::QueriedSpecimen specimen,
                               const std::vector<records::PendingOrder>& pending,
                               std::vector<long long>& test_ids);

}  // namespace hemalink::orders
