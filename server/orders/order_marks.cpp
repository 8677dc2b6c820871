#include "server/orders/order_marks.hpp"

#include <spdlog/spdlog.h>

namespace hemalink::orders {

void OrderMarks::mark(std::string analyzer, std::vector<long long> ids, records::TestStep step) {
  if (ids.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back({std::move(analyzer), std::move(ids), step});
  }
  thread_.post([this] { write_waiting(); });  // refused when one is queued: it takes these too
}

void OrderMarks::write_waiting() {
  std::vector<records::TestMarks> marks;
  {
    std::lock_guard lock(mutex_);
    marks.swap(waiting_);
  }
  if (marks.empty()) {
    return;
  }
  if (auto written = mark_tests(dsn_, marks); !written) {
    spdlog::warn("{} mark(s) of order tests sent or acknowledged not written: {}", marks.size(),
                 written.error().detail);
  }
}

}  // namespace hemalink::orders
