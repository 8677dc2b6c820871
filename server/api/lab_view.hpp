#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/api/event_hub.hpp"
#include "server/lis/lis_counters.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/qc/control_book.hpp"
#include "server/records/lis_routes.hpp"
#include "server/rules/rule_set.hpp"
#include "server/store/message_counts.hpp"
#include "server/store/store.hpp"

namespace hemalink::api {

/// A configured analyzer as the API shows it.
struct AnalyzerEntry {
  std::string name;
  std::string driver;
  std::string protocol;   ///< astm, hl7, export
  std::string transport;  ///< tcp-server, tcp-client, serial, file-drop
  std::string address;    ///< Where it listens, dials, or reads.
};

/// A LIS destination's state now.
struct LisEntry {
  std::string name;
  std::string protocol;
  bool is_connected = false;
  const lis::LisCounters* counters = nullptr;
};

/// What a rules reload came to: the new version in force, or the errors (the old set stays).
struct RulesReload {
  bool is_done = false;
  std::string previous_version;  ///< Empty when no rule set was in force.
  std::string version;
  std::vector<std::string> errors;
};

/// What the API reads of the running daemon, without depending on it: the daemon fills it in.
/// Every function may be called from any thread.
struct LabView {
  std::string dsn;
  /// An order with tests pending this long is overdue (configuration orders.overdue_after_min).
  std::chrono::minutes orders_overdue_after{240};
  records::LisRoutes lis_routes;
  std::vector<AnalyzerEntry> analyzers;
  std::function<store::StoreHealth()> store_health;
  std::function<std::map<std::string, store::AnalyzerMessageCounts>()> message_counts;
  std::function<std::map<std::string, std::uint64_t>()> rule_firings;
  /// The peers of each analyzer's open connections.
  std::function<std::map<std::string, std::vector<std::string>>()> connections;
  std::function<std::vector<LisEntry>()> lis;
  /// False until every listener is bound, and once the daemon is stopping.
  std::function<bool()> is_serving;
  /// Reads the configuration's rule files (and mapping tables) again and puts them in force.
  std::function<RulesReload()> reload_rules;
  /// The rule set in force (nullptr: none, every result held).
  std::function<std::shared_ptr<const rules::RuleSet>()> rule_set;
  /// Told of a specimen whose order asks for a test again (a technologist's rerun), so that an
  /// analyzer in download mode is sent it; none: nobody to tell.
  std::function<void(const std::string& specimen_id)> orders_changed;
  /// The QC gate of every analyzer's controlled tests now; none: no QC.
  std::function<std::vector<qc::TestGate>()> qc_gates;
  /// Excursions of the patient-based averages since start, by analyzer, test and method.
  std::function<std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t>()>
      qc_excursions;
  /// The control definitions in force (the file's and those put through the API).
  std::function<std::vector<qc::ControlBook::DefinedControl>()> qc_definitions;
  /// Puts a definition stored through the API in force now.
  std::function<void(const qc::ControlDefinition&)> qc_define;
  /// The live events; the review actions publish theirs here.
  std::shared_ptr<EventHub> events;
  const metrics::MessageTimings* timings = nullptr;
  const metrics::LinkTally* link_tally = nullptr;
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
};

}  // namespace hemalink::api
