#include "server/orders/work_order_of.hpp"

#include <algorithm>

namespace hemalink::orders {

model::WorkOrder work_order_of(const drivers::Driver& driver, model::QueriedSpecimen specimen,
                               const std::vector<store::PendingOrder>& pending,
                               std::vector<long long>& test_ids) {
  model::WorkOrder w;
  w.specimen = std::move(specimen);
  for (const auto& order : pending) {
    for (const auto& test : order.tests) {
      const auto code = driver.order_code(test.code);
      if (!code) {
        continue;  // another analyzer's test
      }
      test_ids.push_back(test.id);
      if (std::find(w.codes.begin(), w.codes.end(), *code) == w.codes.end()) {
        w.codes.push_back(*code);  // CS: PT seconds and INR are both ordered as 040
      }
      if (!w.patient && !order.patient.id.empty()) {
        w.patient = order.patient;
      }
      w.priority = std::max(w.priority, order.priority);
      if (w.collected_at.empty()) {
        w.collected_at = order.collected_at;
      }
    }
  }
  return w;
}

}  // namespace hemalink::orders
