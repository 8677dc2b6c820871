#include "server/orders/order_intake.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/orders/order_answers.hpp"
#include "server/orders/order_reading.hpp"

namespace hemalink::orders {
namespace {

std::string specimens_of(const records::OrderReceipt& r) {
  std::vector<std::string> seen;
  std::string out;
  for (const auto& m : r.orders) {
    if (std::find(seen.begin(), seen.end(), m.order.specimen_id) == seen.end()) {
      seen.push_back(m.order.specimen_id);
      out += out.empty() ? "" : ",";
      out += m.order.specimen_id;
    }
  }
  return out;
}

}  // namespace

OrderIntake::OrderIntake(OrderIntakeSettings settings)
    : settings_(std::move(settings)), thread_(1, settings_.max_queued) {}

OrderIntake::~OrderIntake() {
  stop();
}

Result<void, store::StoreError> OrderIntake::submit(store::StoreRequest request,
                                                    store::CompletionHandler done) {
  auto job = std::make_shared<store::StoreRequest>(std::move(request));
  if (!thread_.post([this, job, done = std::move(done)] { done(take(*job)); })) {
    return store::StoreError{
        make_error_code(store::StoreErrc::Retryable),
        fmt::format("the order intake of {} is full or stopping", settings_.source)};
  }
  return {};
}

// Framing errors and messages the link ended early are kept as rejected, like the ones that do
// not read as orders. A message that does not read names its first bad record, the cause of any
// early end (`4L|1|N` written for `L|1|N` is no terminator).
store::Completion OrderIntake::take(const store::StoreRequest& request) {
  const auto& receipt = request.receipt;
  auto orders = read_order_message(receipt, settings_.mapping, settings_.charset);
  if (request.content && request.content->status != records::MessageStatus::Accepted) {
    orders.refusal = request.content->reject_reason;
  } else if (receipt.link_status != records::MessageStatus::Accepted && !orders.refusal) {
    orders.refusal = receipt.link_reason;
  }
  store::Completion c;
  auto stored = store_orders(settings_.dsn, orders);
  c.committed_at = store::Completion::Clock::now();
  c.read_at = c.committed_at;
  if (!stored) {
    c.outcome = store::StoreOutcome::Failed;
    c.failure = stored.error();
    spdlog::warn("{}: order message {} not stored: {}", settings_.source, receipt.id.to_string(),
                 stored.error().detail);
    return c;
  }
  c.outcome = store::StoreOutcome::Stored;
  records::ContentSummary summary;
  const auto refusal = orders.refusal ? orders.refusal : stored->refusal;
  summary.status = refusal ? records::MessageStatus::Rejected : records::MessageStatus::Accepted;
  summary.reason = refusal.value_or("");
  summary.error_offset = orders.refusal ? orders.error_offset : std::nullopt;
  summary.specimens = specimens_of(orders);
  c.content = std::move(summary);
  if (stored->duplicate_of) {
    spdlog::info("{}: order message {} repeats {}: answered again, applied once", settings_.source,
                 receipt.id.to_string(), *stored->duplicate_of);
  } else if (refusal) {
    spdlog::warn("{}: order message {} rejected: {}", settings_.source, receipt.id.to_string(),
                 *refusal);
  } else {
    spdlog::info(
        "{}: orders stored from {} ({}): {} order(s) new, {} changed, {} test(s) "
        "added, {} cancelled",
        settings_.source, receipt.id.to_string(), c.content->specimens, stored->orders_created,
        stored->orders_changed, stored->tests_added, stored->tests_cancelled);
  }
  if (!refusal && orders.protocol == model::WireProtocol::Hl7) {
    answer_order_message(orders, c);
  }
  if (settings_.on_stored && !stored->duplicate_of) {
    settings_.on_stored(orders, *stored);
  }
  return c;
}

}  // namespace hemalink::orders
