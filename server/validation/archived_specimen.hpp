#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "drivers/model/decision.hpp"
#include "drivers/model/result_set.hpp"
#include "server/records/pending_order.hpp"

namespace hemalink::validation {

using TimePoint = std::chrono::system_clock::time_point;

/// What finally became of an archived result: the decision in force now, and who made it.
enum class Outcome {
  AutoReleased,  ///< The automatic decision released it; nobody looked.
  AutoRerun,     ///< The automatic decision asked for a rerun; nobody looked.
  Held,          ///< Held, and nobody has acted on it yet.
  Released,      ///< A person released it unchanged.
  Corrected,     ///< A person released it with another value.
  Rerun,         ///< A person asked for it to be run again.
  Rejected,      ///< A person rejected it.
};

/// "released", "corrected", ...: the name the report gives it.
const char* to_string(Outcome outcome);

/// True when a person decided it (released, corrected, rerun, rejected).
bool is_human(Outcome outcome);

/// True when it stood as the analyzer sent it: released by the rules, or by a person unchanged.
bool is_released_unchanged(Outcome outcome);

/// One archived result: the automatic decision made as it was stored (the first), and what
/// finally became of it.
struct ArchivedResult {
  long long result_id = 0;
  model::Verdict live_verdict = model::Verdict::Hold;
  std::string live_decided_by;
  std::vector<std::string> live_fired;  ///< Rules (and fail-safes) that fired, by ID.
  /// Calculated by a compute rule as it was stored, not measured: the orders do not ask for it.
  bool is_calculated = false;
  Outcome outcome = Outcome::Held;
  std::string acted_by;  ///< user:<name> for a person's outcome.
  std::string comment;
  /// For a person's release: how long the result waited, from its automatic decision.
  std::optional<std::chrono::seconds> held_for;
};

/// One patient specimen transmission as the archive holds it, rebuilt as the rules saw it: the
/// result set with its demographics as stored (after the order filled them), its instrument
/// flags, each result's value as the analyzer sent it (before any correction), and the orders
/// on its specimen as they stood when it arrived.
struct ArchivedSpecimen {
  long long row_id = 0;
  std::string analyzer;
  TimePoint received_at{};
  bool is_incomplete = false;  ///< Its message ended without its terminator.
  model::ResultSet set;
  std::vector<ArchivedResult> results;  ///< One per observation of `set`, in order.
  std::vector<records::PendingOrder> orders;
};

}  // namespace hemalink::validation
