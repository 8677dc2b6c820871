#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/validation/archived_specimen.hpp"

namespace hemalink::validation {

/// Results, and how many of them a rule set released at once.
struct ReleaseCount {
  long long results = 0;
  long long released = 0;
  /// released / results, 0 to 1; none when there are no results.
  std::optional<double> rate() const;
};

/// Where a result of the report is: its specimen transmission, the result, and its value as sent.
struct ResultPlace {
  std::string specimen_id;
  long long specimen_row_id = 0;
  long long result_id = 0;
  std::string analyzer;
  TimePoint received_at{};
  std::string code;
  std::string value;
};

/// A result the candidate would release that a person did not release unchanged.
struct FalseNegative {
  ResultPlace place;
  Outcome outcome = Outcome::Rejected;
  std::string acted_by;
  std::string comment;
  std::vector<std::string> live_fired;  ///< What the live set (and fail-safes) fired on it.
};

/// A result the candidate decides otherwise than the live set did then.
struct Disagreement {
  ResultPlace place;
  model::Verdict live = model::Verdict::Hold;
  model::Verdict candidate = model::Verdict::Hold;
  std::vector<std::string> live_fired;
  std::vector<std::string> candidate_fired;
  Outcome outcome = Outcome::Held;
};

/// Two deciders, result by result: released by both, held by both, or by one only.
struct Agreement {
  long long both_release = 0;
  long long both_hold = 0;
  long long only_candidate_releases = 0;
  long long only_candidate_holds = 0;
  long long total() const;
  /// (both_release + both_hold) / total; none when total is 0.
  std::optional<double> share() const;
  /// Cohen's kappa; none when it is undefined (no results, or both always said the same one
  /// thing, where chance agreement is 1).
  std::optional<double> kappa() const;
};

/// How one rule of the candidate did: on how many results it was looked at, true, unknown
/// (what it reads was not there), and how many of the results it fired on were not released.
struct RuleTally {
  long long applied = 0;
  long long fired = 0;
  long long unknown = 0;
  long long held = 0;
  long long needless_holds = 0;  ///< Of those held, released unchanged in the end.
};

/// What the backtest of a candidate rule set over the archive came to (docs/validation.md).
struct BacktestReport {
  std::string candidate_version;
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  std::vector<std::string> analyzers;  ///< Empty: all.
  long long specimens = 0;
  long long results = 0;
  ReleaseCount overall;
  std::map<std::string, ReleaseCount> by_test;
  std::map<std::string, ReleaseCount> by_analyzer;
  std::map<std::string, RuleTally> by_rule;  ///< Every rule of the candidate.
  /// What held results the candidate did not hold by a rule of its own: the fail-safes
  /// (`orders`, `qc-gate`, `incomplete-message`) and `no-rule-released`.
  std::map<std::string, long long> held_otherwise;

  long long false_negative_results = 0;
  long long false_negative_specimens = 0;
  std::vector<FalseNegative> false_negatives;  ///< The first `listed` of them, in time order.
  bool false_negatives_truncated = false;

  long long needless_holds = 0;
  std::map<std::string, long long> needless_holds_by_rule;

  Agreement with_live;
  /// The first `listed` results released by one of the candidate and the live set and not by the
  /// other, in time order.
  std::vector<Disagreement> disagreements;
  bool disagreements_truncated = false;
  Agreement with_people;  ///< Over the results a person decided.
  /// Released by the candidate where the live set's rerun stands (nobody judged it), and where
  /// the result is still held with nobody's decision yet.
  long long releases_of_live_reruns = 0;
  long long releases_not_yet_judged = 0;

  /// The results the candidate releases at once that waited for a person's unchanged release.
  long long released_sooner = 0;
  std::optional<double> held_minutes_median;
  std::optional<double> held_minutes_p90;
  double minutes_saved = 0;

  std::vector<std::string> never_fired;
  /// Rules that applied to results and could not be evaluated on any of them (what they read was
  /// never there: an index the analyzer does not send, a delta with no earlier result).
  std::vector<std::string> failed_to_evaluate;

  double seconds = 0;  ///< How long the replay took.

  /// False negatives per thousand results; none without results.
  std::optional<double> false_negatives_per_mille() const;
};

/// An agreement as the report gives it (JSON): results, both_release, both_hold,
/// only_candidate_releases, only_candidate_holds, share, kappa.
std::string agreement_json(const Agreement& agreement);

/// The report as JSON (the names docs/validation.md gives).
std::string report_json(const BacktestReport& report);

/// The report as text for a terminal.
std::string report_text(const BacktestReport& report);

}  // namespace hemalink::validation
