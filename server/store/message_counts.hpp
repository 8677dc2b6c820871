#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "server/store/store_request.hpp"

namespace hemalink::store {

/// What one analyzer's messages came to since the daemon started.
struct AnalyzerMessageCounts {
  std::string protocol;  ///< astm, hl7 or export.
  /// By outcome: stored (read and accepted), rejected, incomplete, duplicate, already_stored
  /// (a resend of a message stored before), spooled, failed.
  std::map<std::string, std::uint64_t> messages;
  /// The results of stored messages, by the decision in force when they were stored.
  std::uint64_t results_released = 0;
  std::uint64_t results_held = 0;
  std::uint64_t results_other = 0;     ///< rerun or reject
  std::uint64_t results_controls = 0;  ///< of controls and calibrators (judged by QC)
  std::optional<std::chrono::system_clock::time_point> last_received_at;
};

/// The outcome of every message the store completed, per analyzer: for the API and the metrics.
/// Thread-safe.
class MessageCounts {
 public:
  void add(const records::Receipt& receipt, const Completion& completion);
  std::map<std::string, AnalyzerMessageCounts> snapshot() const;
  /// How often each rule fired on the results of stored messages.
  std::map<std::string, std::uint64_t> rule_firings() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, AnalyzerMessageCounts> counts_;
  std::map<std::string, std::uint64_t> rule_firings_;
};

/// The outcome label MessageCounts files a completion under.
std::string outcome_label(const Completion& completion);

}  // namespace hemalink::store
