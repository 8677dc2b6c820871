#pragma once

#include <string>
#include <vector>

#include "server/lis/outbox.hpp"

namespace hemalink::lis {

/// Results of one outbox row that go back under one order of the LIS: its placer and filler
/// numbers and the code it ordered (all empty: the results no order asked).
struct OrderGroup {
  std::string placer_number;
  std::string filler_number;
  std::string ordered_code;
  std::vector<std::size_t> results;  ///< Indexes into the content's results.
};

/// The row's results by the order that asked for them, in the order the results come.
std::vector<OrderGroup> order_groups(const OutboxContent& content);

}  // namespace hemalink::lis
