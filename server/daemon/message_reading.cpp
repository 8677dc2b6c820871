#include "server/daemon/message_reading.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "server/files/file_error.hpp"
#include "server/ingest/configured_message_reader.hpp"
#include "server/orders/result_order_matching.hpp"
#include "server/qc/control_history.hpp"
#include "server/rules/database_result_archive.hpp"

namespace hemalink::daemon {
namespace {

std::shared_ptr<rules::RecentResults> recent_results(const DaemonConfig& c) {
  auto archive = std::make_shared<rules::DatabaseResultArchive>(c.database_url);
  if (!c.rules.files.empty()) {
    archive->warm_up(c.store.writers);  // one history reader per store writer
  }
  return std::make_shared<rules::RecentResults>(archive, c.rules.recent_results_capacity);
}

// Every analyzer's QC, rebuilt from the stored judgements before the first message is read (on
// a store writer, so a database still starting holds results rather than stopping the start).
std::shared_ptr<qc::ControlBook> control_book(const DaemonConfig& c) {
  auto book = std::make_shared<qc::ControlBook>(qc::ControlDefinitions{}, c.qc.policy);
  book->set_history([dsn = c.database_url] {
    auto history = qc::control_history(dsn, qc::kMaxEstablishRuns);
    if (!history) {
      spdlog::error("QC: cannot read the stored judgements: {}", history.error().detail);
    } else {
      spdlog::info("QC: {} stored judgement(s) and {} patient average(s) resumed",
                   history->judgements.size(), history->averages.size());
    }
    return history;
  });
  return book;
}

Result<std::shared_ptr<ingest::MessageReader>, files::FileErrors> reader_of(
    const DaemonConfig& c, std::shared_ptr<rules::RecentResults> recent,
    std::shared_ptr<qc::ControlBook> qc) {
  auto built = ingest::configured_message_reader(c.analyzers, c.rules, c.qc, std::move(recent),
                                                 std::move(qc));
  if (built && takes_orders(c)) {  // a lab that takes orders from a LIS matches results with them
    orders::match_results_with_order_book(**built, c.database_url, c.orders);
  }
  return built;
}

std::shared_ptr<ingest::MessageReader> first_reader(const DaemonConfig& c,
                                                    std::shared_ptr<rules::RecentResults> recent,
                                                    std::shared_ptr<qc::ControlBook> qc) {
  auto built = reader_of(c, std::move(recent), std::move(qc));
  if (!built) {
    throw std::runtime_error(files::describe(built.error(), "; "));  // a start-up failure
  }
  return *built;
}

}  // namespace

MessageReading::MessageReading(const DaemonConfig& config)
    : recent(recent_results(config)),
      quality_control(control_book(config)),
      reader(std::make_shared<ingest::CurrentMessageReader>(
          first_reader(config, recent, quality_control))) {}

std::vector<std::string> MessageReading::reload(const DaemonConfig& c) {
  auto built = reader_of(c, recent, quality_control);
  if (!built) {
    std::vector<std::string> errors;
    for (const auto& e : built.error()) {
      spdlog::error("reload: {} (the previous configuration stays in force)", e.describe());
      errors.push_back(e.describe());
    }
    return errors;
  }
  reader->replace(*built);
  spdlog::info(
      "reload: mapping tables and rules of {} analyzer(s) in force (transport changes "
      "need a restart)",
      c.analyzers.size());
  return {};
}

}  // namespace hemalink::daemon
