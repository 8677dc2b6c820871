#include "server/lis/order_groups.hpp"

#include <algorithm>

namespace hemalink::lis {

std::vector<OrderGroup> order_groups(const OutboxContent& c) {
  std::vector<OrderGroup> groups;
  for (std::size_t i = 0; i < c.results.size(); ++i) {
    const auto& r = c.results[i];
    auto it = std::find_if(groups.begin(), groups.end(), [&](const OrderGroup& g) {
      return g.placer_number == r.placer_number && g.filler_number == r.filler_number &&
             g.ordered_code == r.ordered_code;
    });
    if (it == groups.end()) {
      it = groups.insert(groups.end(), {r.placer_number, r.filler_number, r.ordered_code, {}});
    }
    it->results.push_back(i);
  }
  return groups;
}

}  // namespace hemalink::lis
