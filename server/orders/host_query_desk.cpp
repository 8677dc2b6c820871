#include "server/orders/host_query_desk.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "drivers/common/host_query.hpp"
#include "drivers/common/law_query.hpp"
#include "drivers/model/compact_time.hpp"
#include "drivers/model/message_id.hpp"
#include "protocols/hl7/v2_ack.hpp"
#include "server/orders/work_order_of.hpp"

namespace hemalink::orders {
namespace {

std::string terminated(std::string_view code, std::chrono::system_clock::time_point now) {
  return drivers::terminated_reply(code, model::compact_utc(now));
}

std::string law_refusal(std::string_view message, const std::string& why,
                        std::chrono::system_clock::time_point now) {
  std::string out;
  hl7::AckHeader header;
  header.control_id = new_control_id();
  header.timestamp = model::compact_utc(now) + "+0000";
  hl7::build_ack(hl7::AckContext::from_raw(message), hl7::AckCode::AE,
                 hl7::AckError{"QPD", 1, 3, 101, why}, header, out);
  return out;
}

}  // namespace

std::string new_control_id() {
  auto hex = model::MessageId::generate().to_string();
  std::erase(hex, '-');
  return hex.substr(0, 20);
}

HostAnswer answer_law_query(const drivers::Driver& driver, std::string_view text,
                            const PendingLookup& lookup,
                            std::chrono::system_clock::time_point now) {
  HostAnswer a;
  auto message = hl7::V2Message::parse(std::string(without_byte_order_mark(text)));
  auto query =
      message ? drivers::read_law_query(*message) : Result<drivers::LawQuery>(message.error());
  if (!query) {
    a.records = law_refusal(text, query.error().describe(), now);
    return a;
  }
  a.specimens = 1;
  auto pending = lookup(query->specimen.specimen_id);
  if (!pending) {
    spdlog::warn("LAB-27 query for '{}': {}", query->specimen.specimen_id, pending.error().detail);
    a.records = law_refusal(text, "the orders cannot be read now: ask again", now);
    return a;
  }
  const auto work = work_order_of(driver, query->specimen, *pending, a.test_ids);
  const auto timestamp = model::compact_utc(now) + "+0000";
  a.with_work = work.codes.empty() ? 0 : 1;
  a.records = drivers::write_law_response(*query, !work.codes.empty(), new_control_id(), timestamp);
  if (!work.codes.empty()) {
    a.follow_up = drivers::write_law_work_order(*query, work, new_control_id(), timestamp);
  }
  return a;
}

HostAnswer answer_host_query(const drivers::Driver& driver, std::string_view records,
                             const astm::Lis2Leniency& leniency, const PendingLookup& lookup,
                             std::chrono::system_clock::time_point now) {
  HostAnswer a;
  const auto* layout = driver.query_layout();
  if (layout == nullptr) {
    a.records = terminated("I", now);  // an analyzer its driver answers nothing
    return a;
  }
  auto message = astm::Lis2Message::parse(std::string(records), {}, leniency);
  auto query = message ? drivers::read_host_query(*message, *layout, Charset::Latin1)
                       : Result<model::HostQuery>(message.error());
  if (!query) {
    spdlog::warn("host query not read: {}", query.error().describe());
    a.records = terminated("Q", now);
    return a;
  }
  if (query->is_cancel) {
    a.records = terminated("N", now);
    return a;
  }
  std::vector<model::WorkOrder> work;
  for (auto& specimen : query->specimens) {
    auto pending = lookup(specimen.specimen_id);
    if (!pending) {
      spdlog::warn("host query for '{}': {}", specimen.specimen_id, pending.error().detail);
      HostAnswer failed;
      failed.records = terminated("E", now);
      failed.specimens = query->specimens.size();
      return failed;
    }
    work.push_back(work_order_of(driver, std::move(specimen), *pending, a.test_ids));
    a.with_work += work.back().codes.empty() ? 0 : 1;
  }
  a.specimens = work.size();
  a.records = drivers::write_query_answer(work, *layout, model::compact_utc(now));
  return a;
}

HostQueryDesk::HostQueryDesk(std::string dsn, std::shared_ptr<ingest::CurrentMessageReader> reader,
                             OrderMarks& marks, std::size_t threads)
    : dsn_(std::move(dsn)), reader_(std::move(reader)), marks_(marks), threads_(threads, 10000) {}

namespace {

constexpr std::size_t kMaxWaiting = 10000;
constexpr std::size_t kMaxTogether = 64;

// What an answer asks of the order book, noted and answered with nothing: the first pass over
// a batch learns its specimens.
PendingLookup noting(std::vector<std::string>& specimens) {
  return [&specimens](std::string_view specimen) {
    specimens.emplace_back(specimen);
    return Result<std::vector<records::PendingOrder>, store::StoreError>(
        std::vector<records::PendingOrder>{});
  };
}

}  // namespace

// The queries wait in one list; each job a thread takes answers what waits then (up to 64). A job
// refused by a full queue leaves its query to the jobs queued before it.
bool HostQueryDesk::ask(std::string analyzer, std::string records,
                        std::function<void(HostAnswer)> done) {
  {
    std::lock_guard lock(mutex_);
    if (waiting_.size() >= kMaxWaiting) {
      return false;
    }
    waiting_.push_back({std::move(analyzer), std::move(records), std::move(done)});
  }
  threads_.post([this] { answer_waiting(); });
  return true;
}

// One read of the pending orders of every specimen the batch names, then each answer from it. The
// mark goes to the marks' own thread before the reply goes to the connection, so that it comes
// before the analyzer's acknowledgement of the reply.
void HostQueryDesk::answer_waiting() {
  std::vector<Asked> batch;
  {
    std::lock_guard lock(mutex_);
    const auto n = std::min(waiting_.size(), kMaxTogether);
    batch.assign(std::make_move_iterator(waiting_.begin()),
                 std::make_move_iterator(waiting_.begin() + static_cast<std::ptrdiff_t>(n)));
    waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (batch.empty()) {
    return;
  }
  std::vector<std::string> specimens;
  for (const auto& asked : batch) {
    answer(asked.analyzer, asked.records, noting(specimens));
  }
  auto pending = pending_orders(dsn_, specimens);
  const PendingLookup lookup = [&pending](std::string_view specimen)
      -> Result<std::vector<records::PendingOrder>, store::StoreError> {
    if (!pending) {
      return pending.error();
    }
    std::vector<records::PendingOrder> of_specimen;
    for (const auto& order : *pending) {
      if (order.specimen_id == specimen) {
        of_specimen.push_back(order);
      }
    }
    return of_specimen;
  };
  for (auto& asked : batch) {
    auto a = answer(asked.analyzer, asked.records, lookup);
    marks_.mark(asked.analyzer, a.test_ids, records::TestStep::Sent);
    asked.done(std::move(a));
  }
}

HostAnswer HostQueryDesk::answer(const std::string& analyzer, const std::string& records,
                                 const PendingLookup& lookup) {
  const auto reader = reader_->get();
  astm::Lis2Leniency leniency;
  const auto* driver = reader->driver_of(analyzer, &leniency);
  const auto now = std::chrono::system_clock::now();
  if (driver == nullptr) {
    HostAnswer none;
    none.records = terminated("I", now);
    return none;
  }
  return driver->input() == model::WireProtocol::Hl7
             ? answer_law_query(*driver, records, lookup, now)
             : answer_host_query(*driver, records, leniency, lookup, now);
}

}  // namespace hemalink::orders
