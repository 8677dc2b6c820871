#include "server/orders/host_query_desk.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "drivers/model/compact_time.hpp"

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

}  // namespace

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
      a = HostAnswer{terminated("E", now), {}, query->specimens.size(), 0};
      return a;
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
  return threads_.post([this, analyzer = std::move(analyzer), records = std::move(records),
                        done = std::move(done)] { done(answer(analyzer, records)); });
}

HostAnswer HostQueryDesk::answer(const std::string& analyzer, const std::string& records) {
  const auto reader = reader_->get();
  astm::Lis2Leniency leniency;
  const auto* driver = reader->driver_of(analyzer, &leniency);
  const auto now = std::chrono::system_clock::now();
  if (driver == nullptr) {
    return {terminated("I", now), {}, 0, 0};
  }
  auto a = answer_host_query(
      *driver, records, leniency,
      [this](std::string_view specimen) { return store::pending_orders(dsn_, specimen); }, now);
  if (!a.test_ids.empty()) {
    if (auto marked = store::mark_tests_sent(dsn_, a.test_ids, analyzer); !marked) {
      spdlog::warn("{}: tests answered but not marked sent: {}", analyzer, marked.error().detail);
    }
  }
  return a;
}

}  // namespace hemalink::orders
