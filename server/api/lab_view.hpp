#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "server/api/daemon_state.hpp"
#include "server/api/event_hub.hpp"
#include "server/api/rules_in_force.hpp"
#include "server/lis/outbox_admin.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/qc/qc_records.hpp"
#include "server/records/lab_records.hpp"
#include "server/records/order_records.hpp"
#include "server/review/review_desk.hpp"
#include "server/rules/rule_set_versions.hpp"
#include "server/validation/backtest_desk.hpp"
#include "server/validation/shadow_records.hpp"

namespace hemalink::api {

/// A configured analyzer as the API shows it.
struct AnalyzerEntry {
  std::string name;
  std::string driver;
  std::string protocol;   ///< astm, hl7, export
  std::string transport;  ///< tcp-server, tcp-client, serial, file-drop
  std::string address;    ///< Where it listens, dials, or reads.
  /// Canonical code -> the test's name, from the analyzer's mapping table (name_tests()).
  std::map<std::string, std::string, std::less<>> test_names;
};

/// What the API reads and acts through, each an interface: the rooms' records (PostgreSQL in the
/// daemon, fakes in the routes' tests) and the running daemon. Whoever builds it keeps every
/// part alive as long as the routes.
struct LabView {
  const records::LabRecords& records;
  review::ReviewDesk& review;
  const lis::OutboxAdmin& outbox;
  qc::QcRecords& qc;
  const records::OrderRecords& orders;
  RulesInForce& rules;
  /// The stored rule set versions, their diff and their lifecycle.
  const rules::RuleSetVersions& versions;
  /// Backtests of candidate rule sets, run one at a time in the background.
  validation::BacktestDesk& backtests;
  /// What the version in shadow decided so far, compared with the live set and with people.
  const validation::ShadowRecords& shadow;
  DaemonState& daemon;
  /// The live events; the review actions publish theirs here.
  EventHub& events;
  const metrics::MessageTimings& timings;
  const metrics::LinkTally& link_tally;
  std::vector<AnalyzerEntry> analyzers;
  /// An order with tests pending this long is overdue (configuration orders.overdue_after_min).
  std::chrono::minutes orders_overdue_after{240};
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
  /// The configuration's comment codes (review.comment_codes), by code: the defaults that the
  /// codes stored through the review desk change.
  std::map<std::string, std::string> comment_codes = {};
};

}  // namespace hemalink::api
