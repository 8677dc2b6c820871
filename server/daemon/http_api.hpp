#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/api/event_hub.hpp"
#include "server/api/http_server.hpp"
#include "server/api/lab_view.hpp"
#include "server/daemon/connection_registry.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/lis/lis_link.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/orders/work_download.hpp"
#include "server/qc/control_book.hpp"
#include "server/store/store.hpp"
#include "server/validation/backtest_desk.hpp"

namespace hemalink::daemon {

/// The HTTP API: the Beast server of the lab's routes, and what the routes see of the daemon
/// (api::LabView: the store, the connections, the LIS links, the reader's rules, QC, the
/// downloads, the live events and the counters), each the daemon's own part, not a copy.
struct HttpApi {
  const DaemonConfig& config;
  store::Store& store;
  ConnectionRegistry& registry;
  const std::vector<std::shared_ptr<lis::LisLink>>& lis_links;
  const std::atomic<bool>& is_serving;
  /// As SIGHUP: the configuration read again, its rule files stored by the actor.
  std::function<api::RulesReload(const std::string& actor)> reload_rules;
  std::function<api::RulesReload()> follow_live;  ///< The live rule set version put in force.
  std::shared_ptr<rules::RuleSetVersions> versions;
  validation::BacktestDesk& backtests;  ///< The daemon's BacktestJobs.
  std::shared_ptr<ingest::CurrentMessageReader> reader;
  std::shared_ptr<qc::ControlBook> quality_control;
  orders::WorkDownload& downloads;
  std::shared_ptr<api::EventHub> events;
  std::shared_ptr<metrics::MessageTimings> timings;
  std::shared_ptr<metrics::LinkTally> link_tally;
  std::unique_ptr<api::HttpServer> http;  ///< None when http.listen is empty.

  /// Binds the API's listener on `io`. Throws std::runtime_error naming the address when it
  /// cannot: a start-up failure.
  void open(boost::asio::io_context& io);
  void start();
  void stop();
  /// The port the API listens on (0 when it has none).
  std::uint16_t port() const;

  std::shared_ptr<const api::LabView> lab_view();
};

}  // namespace hemalink::daemon
