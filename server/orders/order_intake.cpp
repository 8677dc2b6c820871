#include "server/orders/order_intake.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/orders/order_reading.hpp"

namespace hemalink::orders {
namespace {

std::string specimens_of(const store::OrderReceipt& r) {
  std::string out;
  for (const auto& m : r.orders) {
    if (out.find(m.order.specimen_id) == std::string::npos) {
      out += out.empty() ? "" : ",";
      out += m.order.specimen_id;
    }
  }
  return out;
}

}  // namespace

OrderIntake::OrderIntake(OrderIntakeSettings settings)
    : settings_(std::move(settings)), thread_([this] { run(); }) {}

OrderIntake::~OrderIntake() {
  stop();
}

Result<void, store::StoreError> OrderIntake::submit(store::StoreRequest request,
                                                    store::CompletionHandler done) {
  std::lock_guard lock(mutex_);
  if (is_stopping_ || queue_.size() >= settings_.max_queued) {
    return store::StoreError{
        make_error_code(store::StoreErrc::Retryable),
        fmt::format("the order intake of {} is {}", settings_.source,
                    is_stopping_ ? "stopping" : "full")};
  }
  queue_.push_back({std::move(request), std::move(done)});
  wake_.notify_one();
  return {};
}

void OrderIntake::stop() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void OrderIntake::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return is_stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.done(take(job.request));
  }
}

// Framing errors and messages the link ended early are kept as rejected, like the ones that do
// not read as orders.
store::Completion OrderIntake::take(const store::StoreRequest& request) {
  const auto& receipt = request.receipt;
  auto orders = read_order_message(receipt, settings_.mapping, settings_.charset);
  if (request.content && request.content->status != store::MessageStatus::Accepted) {
    orders.refusal = request.content->reject_reason;
  } else if (receipt.link_status != store::MessageStatus::Accepted) {
    orders.refusal = receipt.link_reason;
  }
  store::Completion c;
  auto stored = store::store_orders(settings_.dsn, orders);
  c.committed_at = store::Completion::Clock::now();
  c.read_at = c.committed_at;
  if (!stored) {
    c.outcome = store::StoreOutcome::Failed;
    c.detail = stored.error().detail;
    spdlog::warn("{}: order message {} not stored: {}", settings_.source, receipt.id.to_string(),
                 stored.error().detail);
    return c;
  }
  c.outcome = store::StoreOutcome::Stored;
  store::ContentSummary summary;
  const auto refusal = orders.refusal ? orders.refusal : stored->refusal;
  summary.status = refusal ? store::MessageStatus::Rejected : store::MessageStatus::Accepted;
  summary.reason = refusal.value_or("");
  summary.error_offset = orders.refusal ? orders.error_offset : std::nullopt;
  summary.specimens = specimens_of(orders);
  c.content = std::move(summary);
  if (refusal) {
    spdlog::warn("{}: order message {} rejected: {}", settings_.source, receipt.id.to_string(),
                 *refusal);
  } else {
    spdlog::info("{}: orders stored from {} ({}): {} order(s) new, {} changed, {} test(s) "
                 "added, {} cancelled",
                 settings_.source, receipt.id.to_string(), c.content->specimens,
                 stored->orders_created, stored->orders_changed, stored->tests_added,
                 stored->tests_cancelled);
  }
  if (settings_.on_stored) {
    settings_.on_stored(orders, *stored);
  }
  return c;
}

}  // namespace hemalink::orders
