#include "server/orders/work_order_of.hpp"

#include <algorithm>

namespace hemalink::orders {

model::WorkOrder work_order_of(const drivers::Driver& driver, model::QueriedSpecimen specimen,
                               const std::vector<records::PendingOrder>& pending,
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
      const auto known = std::find(w.codes.begin(), w.codes.end(), *code);
      if (known == w.codes.end()) {
        w.codes.push_back(*code);
        w.code_texts.push_back(test.code);
      } else {  // CS: PT seconds and INR are both ordered as 040
        auto& text = w.code_texts[static_cast<std::size_t>(known - w.codes.begin())];
        if (("+" + text + "+").find("+" + test.code + "+") == std::string::npos)
          text += "+" + test.code;
      }
      if (!w.patient && !order.patient.id.empty()) {
        w.patient = order.patient;
      }
      w.priority = std::max(w.priority, order.priority);
      if (w.collected_at.empty()) {
        w.collected_at = order.collected_at;
      }
      if (w.specimen_type.empty()) {
        w.specimen_type = order.specimen_type;
        w.specimen_type_text = order.specimen_type_text;
        w.specimen_type_system = order.specimen_type_system;
      }
      if (w.specimen_source.empty()) {
        w.specimen_source = order.specimen_source;
      }
      if (!order.comment.empty() && w.comment.find(order.comment) == std::string::npos) {
        w.comment += (w.comment.empty() ? "" : "\n") + order.comment;
      }
    }
  }
  return w;
}

}  // namespace hemalink::orders
