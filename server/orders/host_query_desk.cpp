#include "server/orders/host_query_desk.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "drivers/common/law_query.hpp"
#include "drivers/model/compact_time.hpp"
#include "drivers/model/message_id.hpp"
#include "protocols/hl7/v2_ack.hpp"

namespace hemalink::orders {
namespace {

std::string terminated(std::string_view code, std::chrono::system_clock::time_point now) {
  return fmt::format("H|\\^&|||hemalink|||||||P|LIS2-A2|{}\rL|1|{}\r", model::compact_utc(now),
                     code);
}

// Every pending order of the specimen, as one work order in the analyzer's codes.
model::WorkOrder work_for(const drivers::Driver& driver, model::QueriedSpecimen specimen,
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

std::string new_control_id() {
  auto hex = model::MessageId::generate().to_string();
  std::erase(hex, '-');
  return hex.substr(0, 20);
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
  const auto work = work_for(driver, query->specimen, *pending, a.test_ids);
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
    work.push_back(work_for(driver, std::move(specimen), *pending, a.test_ids));
    a.with_work += work.back().codes.empty() ? 0 : 1;
  }
  a.specimens = work.size();
  a.records = drivers::write_query_answer(work, *layout, model::compact_utc(now));
  return a;
}

HostQueryDesk::HostQueryDesk(std::string dsn, std::shared_ptr<ingest::CurrentMessageReader> reader,
                             std::size_t threads)
    : dsn_(std::move(dsn)), reader_(std::move(reader)), threads_(threads, 10000) {}

bool HostQueryDesk::ask(std::string analyzer, std::string records,
                        std::function<void(HostAnswer)> done) {
  return threads_.post(
      [this, analyzer = std::move(analyzer), records = std::move(records), done = std::move(done)] {
        auto a = answer(analyzer, records);
        const auto sent = a.test_ids;
        done(std::move(a));
        mark_sent(analyzer, sent);
      });
}

// After the reply has gone to the analyzer's connection, and off the desk's threads: the marks
// of the answers that wait meanwhile go in one transaction.
void HostQueryDesk::mark_sent(const std::string& analyzer, std::vector<long long> ids) {
  if (ids.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    unmarked_.push_back({analyzer, std::move(ids)});
  }
  marker_.post([this] { mark_waiting(); });  // refused when one is queued: it takes these too
}

void HostQueryDesk::mark_waiting() {
  std::vector<store::SentTests> sent;
  {
    std::lock_guard lock(mutex_);
    sent.swap(unmarked_);
  }
  if (sent.empty()) {
    return;
  }
  if (auto marked = store::mark_tests_sent(dsn_, sent); !marked) {
    spdlog::warn("{} answer(s): tests answered but not marked sent: {}", sent.size(),
                 marked.error().detail);
  }
}

HostAnswer HostQueryDesk::answer(const std::string& analyzer, const std::string& records) {
  const auto reader = reader_->get();
  astm::Lis2Leniency leniency;
  const auto* driver = reader->driver_of(analyzer, &leniency);
  const auto now = std::chrono::system_clock::now();
  if (driver == nullptr) {
    HostAnswer none;
    none.records = terminated("I", now);
    return none;
  }
  const PendingLookup lookup = [this](std::string_view specimen) {
    return store::pending_orders(dsn_, specimen);
  };
  auto a = driver->input() == model::WireProtocol::Hl7
               ? answer_law_query(*driver, records, lookup, now)
               : answer_host_query(*driver, records, leniency, lookup, now);
  return a;
}

}  // namespace hemalink::orders
