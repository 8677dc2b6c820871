#include "server/orders/work_download.hpp"

#include <spdlog/spdlog.h>

#include "drivers/common/host_query.hpp"
#include "drivers/common/law_query.hpp"
#include "drivers/model/compact_time.hpp"
#include "server/orders/host_query_desk.hpp"
#include "server/orders/work_order_of.hpp"

namespace hemalink::orders {
namespace {

constexpr std::size_t kOrdersPerPage = 20;  // an LIS02-A2 download of at most 20 specimens
// What one pass hands a connection (well inside an E1381 link's queue of 64 messages); the rest
// goes in the pass the analyzer's acknowledgement starts.
constexpr std::size_t kPagesPerPass = 16;

// The page's orders, specimen by specimen, in the order the first order of each came.
std::vector<std::vector<records::PendingOrder>> by_specimen(
    std::vector<records::PendingOrder> page) {
  std::vector<std::vector<records::PendingOrder>> out;
  for (auto& order : page) {
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& orders) {
      return orders.front().specimen_id == order.specimen_id;
    });
    if (same == out.end()) {
      out.emplace_back().push_back(std::move(order));
    } else {
      same->push_back(std::move(order));
    }
  }
  return out;
}

// LIS02-A2: one message for the page.
std::vector<session::WorkToSend> astm_download(
    const drivers::Driver& driver, const std::vector<std::vector<records::PendingOrder>>& specimens,
    std::string_view timestamp) {
  const auto& layout = *driver.query_layout();
  session::WorkToSend work;
  std::vector<model::WorkOrder> orders;
  for (const auto& pending : specimens) {
    const auto& id = pending.front().specimen_id;
    orders.push_back(
        work_order_of(driver, {id, drivers::specimen_field(id, layout)}, pending, work.test_ids));
  }
  work.message = drivers::write_work_download(orders, layout, timestamp);
  if (work.message.empty()) {
    return {};
  }
  return {std::move(work)};
}

// IHE LAW LAB-28: one OML^O33 per specimen.
std::vector<session::WorkToSend> law_download(
    const drivers::Driver& driver, const std::string& analyzer,
    const std::vector<std::vector<records::PendingOrder>>& specimens, std::string_view timestamp) {
  std::vector<session::WorkToSend> out;
  for (const auto& pending : specimens) {
    drivers::LawQuery to;
    to.sender = analyzer;
    to.specimen = {pending.front().specimen_id, pending.front().specimen_id};
    session::WorkToSend work;
    const auto order = work_order_of(driver, to.specimen, pending, work.test_ids);
    if (order.codes.empty()) {
      continue;
    }
    work.message = drivers::write_law_work_order(to, order, new_control_id(), timestamp);
    out.push_back(std::move(work));
  }
  return out;
}

}  // namespace

WorkDownload::WorkDownload(std::string dsn, std::shared_ptr<ingest::CurrentMessageReader> reader,
                           std::set<std::string, std::less<>> analyzers, DownloadDelivery delivery)
    : dsn_(std::move(dsn)),
      reader_(std::move(reader)),
      analyzers_(std::move(analyzers)),
      delivery_(std::move(delivery)) {}

void WorkDownload::orders_arrived(std::vector<std::string> specimen_ids) {
  if (analyzers_.empty() || specimen_ids.empty()) {
    return;
  }
  const bool queued = thread_.post([this, specimen_ids = std::move(specimen_ids)] {
    for (const auto& analyzer : analyzers_) {
      download(analyzer, specimen_ids, std::nullopt);
    }
  });
  if (!queued) {
    spdlog::warn(
        "download: {} specimen(s) not downloaded now (queue full): sent at the next "
        "connection or host query",
        specimen_ids.size());
  }
}

void WorkDownload::connected(const std::string& analyzer, std::uint64_t connection) {
  if (!downloads_to(analyzer)) {
    return;
  }
  thread_.post([this, analyzer, connection] { download(analyzer, {}, connection); });
}

void WorkDownload::disconnected(const std::string& analyzer, std::uint64_t connection) {
  if (!downloads_to(analyzer)) {
    return;
  }
  thread_.post([this, connection] { delivered_.erase(connection); });
}

void WorkDownload::taken(const std::string& analyzer) {
  if (!downloads_to(analyzer)) {
    return;
  }
  thread_.post([this, analyzer] { download(analyzer, {}, std::nullopt); });
}

// Page by page (by order ID), each page's tests marked sent (committed, so that the next pass
// does not send them again) and then handed to the connection. A page that no connection takes
// stays sent to this analyzer: it goes again at its next connection.
void WorkDownload::download(const std::string& analyzer,
                            const std::vector<std::string>& specimen_ids,
                            std::optional<std::uint64_t> resending_to) {
  const auto reader = reader_->get();
  const auto* driver = reader->driver_of(analyzer, nullptr);
  if (driver == nullptr || !delivery_.is_connected(analyzer)) {
    return;
  }
  const bool is_hl7 = driver->input() == model::WireProtocol::Hl7;
  if (!is_hl7 && driver->query_layout() == nullptr) {
    spdlog::warn("download: {}: its driver {} has no order layout; nothing sent", analyzer,
                 driver->name());
    return;
  }
  const auto codes = driver->orderable_codes();
  if (codes.empty()) {
    return;  // its table maps no result: it runs nothing it could be sent
  }
  long long after = 0;
  for (std::size_t pages = 0; pages < kPagesPerPass; ++pages) {
    auto page = work_to_download(dsn_, analyzer, codes, specimen_ids, resending_to.has_value(),
                                 after, kOrdersPerPage);
    if (!page) {
      spdlog::warn("download to {}: {}", analyzer, page.error().detail);
      return;
    }
    if (page->empty()) {
      return;
    }
    after = page->back().id;
    if (resending_to) {
      without_delivered(*resending_to, *page);
    }
    const auto timestamp = model::compact_utc(std::chrono::system_clock::now());
    const auto specimens = by_specimen(std::move(*page));
    auto messages = is_hl7 ? law_download(*driver, analyzer, specimens, timestamp + "+0000")
                           : astm_download(*driver, specimens, timestamp);
    for (auto& work : messages) {
      if (auto marked = mark_tests(dsn_, {{analyzer, work.test_ids, records::TestStep::Sent}});
          !marked) {
        spdlog::warn("download to {}: not sent, its tests could not be marked: {}", analyzer,
                     marked.error().detail);
        return;
      }
      const auto tests = work.test_ids;
      const auto connection = delivery_.deliver(analyzer, std::move(work));
      if (!connection) {
        spdlog::info("download to {}: not connected; {} test(s) go at its next connection",
                     analyzer, tests.size());
        return;
      }
      delivered(*connection, tests);
    }
  }
  if (resending_to) {
    delivered_.erase(*resending_to);  // the connection has everything now
  }
}

void WorkDownload::without_delivered(std::uint64_t connection,
                                     std::vector<records::PendingOrder>& page) const {
  const auto it = delivered_.find(connection);
  if (it == delivered_.end()) {
    return;
  }
  for (auto& order : page) {
    std::erase_if(order.tests, [&](const records::PendingTest& t) {
      return t.status == "sent" && it->second.contains(t.id);
    });
  }
  std::erase_if(page, [](const records::PendingOrder& o) { return o.tests.empty(); });
}

void WorkDownload::delivered(std::uint64_t connection, const std::vector<long long>& test_ids) {
  constexpr std::size_t kRemembered = 100000;  // far more than a pass sends
  auto& tests = delivered_[connection];
  if (tests.size() > kRemembered) {
    tests.clear();
  }
  tests.insert(test_ids.begin(), test_ids.end());
}

}  // namespace hemalink::orders
