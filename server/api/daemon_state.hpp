#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "server/lis/lis_counters.hpp"
#include "server/qc/control_book.hpp"
#include "server/store/message_counts.hpp"
#include "server/store/store.hpp"

namespace hemalink::api {

/// A LIS destination's state now.
struct LisEntry {
  std::string name;
  std::string protocol;
  bool is_connected = false;
  const lis::LisCounters* counters = nullptr;
};

/// What the API reads of the running daemon (and the two things it tells it), without depending
/// on it: the daemon implements it. Callable from any thread.
class DaemonState {
 public:
  virtual ~DaemonState() = default;

  virtual store::StoreHealth store_health() const = 0;
  virtual std::map<std::string, store::AnalyzerMessageCounts> message_counts() const = 0;
  /// The peers of each analyzer's open connections.
  virtual std::map<std::string, std::vector<std::string>> connections() const = 0;
  virtual std::vector<LisEntry> lis() const = 0;
  /// False until every listener is bound, and once the daemon is stopping.
  virtual bool is_serving() const = 0;

  /// The QC gate of every analyzer's controlled tests now (none: no QC).
  virtual std::vector<qc::TestGate> qc_gates() const = 0;
  /// Excursions of the patient-based averages since start, by analyzer, test and method.
  virtual std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> qc_excursions()
      const = 0;
  /// The control definitions in force (the file's and those put through the API).
  virtual std::vector<qc::ControlBook::DefinedControl> qc_definitions() const = 0;
  /// Puts a definition stored through the API in force now.
  virtual void qc_define(const qc::ControlDefinition& definition) = 0;

  /// Told of a specimen whose order asks for a test again (a technologist's rerun), so that an
  /// analyzer in download mode is sent it.
  virtual void orders_changed(const std::string& specimen_id) = 0;
};

}  // namespace hemalink::api
