#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "server/api/lab_view.hpp"
#include "server/daemon/connection_registry.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/lis/lis_link.hpp"
#include "server/orders/work_download.hpp"

namespace hemalink::daemon {

/// The configured analyzers as the API lists them (name, driver, protocol, transport, address).
std::vector<api::AnalyzerEntry> analyzer_entries(const DaemonConfig& config);

/// The running daemon's parts the API reads (and tells), by reference: they outlive the API.
struct LiveParts {
  store::Store& store;
  const ConnectionRegistry& registry;
  const std::vector<std::shared_ptr<lis::LisLink>>& lis_links;
  const std::atomic<bool>& is_serving;
  const ingest::CurrentMessageReader& reader;
  qc::ControlBook& quality_control;
  orders::WorkDownload& downloads;
  /// Reads the configuration's rules again, stores them as a version and puts the live version in
  /// force (Daemon::Parts::reload_rules).
  std::function<api::RulesReload(const std::string& actor)> reload_rules;
  /// Puts the live rule set version in force (MessageReading::follow_live).
  std::function<api::RulesReload()> follow_live;
  /// The stored rule set versions the daemon decides by.
  const rules::RuleSetVersions& versions;
  validation::BacktestDesk& backtests;
  api::EventHub& events;
  const metrics::MessageTimings& timings;
  const metrics::LinkTally& link_tally;
};

/// What the API of the running daemon reads through: the rooms' PostgreSQL records on the
/// configured database, and `live` behind api::DaemonState and api::RulesInForce. The view owns
/// them all.
std::shared_ptr<const api::LabView> lab_view_of(const DaemonConfig& config, LiveParts live);

}  // namespace hemalink::daemon
