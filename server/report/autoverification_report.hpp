#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "server/report/autoverification_records.hpp"
#include "server/report/truth_file.hpp"

namespace hemalink::report {

/// How many of `total` were autoverified: released by their automatic decision alone.
struct Yield {
  long long total = 0;
  long long autoverified = 0;
  /// autoverified / total, 0 to 1; none when total is 0.
  std::optional<double> share() const;
};

/// A yield of one test, analyzer or profile.
struct NamedYield {
  std::string name;
  Yield yield;
};

/// A rule that held specimens (or, when no rule did, the decision's reason): the rule ID (empty
/// for a reason), the reason text most of its firings gave, and the specimens it held (a specimen
/// held by two rules counts for each).
struct HoldCount {
  std::string rule_id;
  std::string reason;
  long long specimens = 0;
};

/// A specimen the truth says a person must see, whose every result the rules released.
struct FalseNegative {
  std::string specimen_id;
  std::string profile;
  std::string condition;
  std::string why;
};

/// The autoverification yield of the specimens of a truth file, from their automatic decisions.
/// Every figure counts only specimens both in the truth file and in the database.
struct AutoverificationReport {
  std::optional<std::string> since;
  long long truth_specimens = 0;  ///< Lines of the truth file.
  Yield specimens;                ///< Autoverified: every result released by the rules.
  Yield results;
  std::vector<NamedYield> by_profile;   ///< Specimens, by the truth's profile.
  std::vector<NamedYield> by_test;      ///< Results, by canonical code.
  std::vector<NamedYield> by_analyzer;  ///< Results, by analyzer name.
  /// The specimens the truth says need a person: `total`, and how many were autoverified (the
  /// false negatives).
  Yield must_review;
  long long held = 0;                   ///< Specimens held.
  std::vector<HoldCount> held_reasons;  ///< The most frequent first, at most the top asked for.
  std::vector<FalseNegative> false_negatives;  ///< In truth-file order.
  long long needless_holds = 0;                ///< Held, though the truth says no review is needed.
  std::vector<HoldCount> needless_by_rule;     ///< The most frequent first, every one.
  long long missing = 0;  ///< In the truth file, with no patient result in the database.
  std::vector<std::string> missing_listed;  ///< The first 20 of them, in truth-file order.
  long long not_in_truth = 0;  ///< Specimens of the database's window not in the truth file.
};

/// The report of `records` (read for the truth's specimen IDs) against `truth`; `top`: how
/// many hold reasons to keep.
AutoverificationReport measure_autoverification(const AutoverificationRecords& records,
                                                const std::vector<TruthSpecimen>& truth,
                                                std::size_t top);

/// What `hemalink report av` prints: the false negatives first when there are any.
std::string report_text(const AutoverificationReport& report);

/// The same as a JSON document (names in docs/report-av.md).
std::string report_json(const AutoverificationReport& report);

}  // namespace hemalink::report
