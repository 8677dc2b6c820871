#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/rules/recent_results.hpp"
#include "server/rules/rule_set.hpp"
#include "server/validation/backtest_report.hpp"

namespace hemalink::validation {

/// Counts, result by result, what the candidate decided against what was decided then and what
/// became of each result; report() sums it up.
class BacktestTally {
 public:
  BacktestTally(const rules::RuleSet& candidate, std::size_t false_negatives_listed);

  /// One specimen: `decided` is its set as the candidate saw it (with what it calculated),
  /// `decisions` the candidate's, one per observation; `history` and `qc` what it read.
  void add(const ArchivedSpecimen& specimen, const model::ResultSet& decided,
           const std::vector<model::Decision>& decisions, const rules::ResultHistory& history,
           const records::TestStatuses& qc);

  BacktestReport report() const;

 private:
  void count_rules(const model::ResultSet& set, const model::Observation& result,
                   const rules::ResultHistory& history, const records::TestStatuses& qc,
                   const model::Decision& decision, bool is_needless);
  const std::vector<std::uint32_t>& rules_for(const std::string& code);
  void add_false_negative(const ArchivedSpecimen& s, std::size_t i);
  void add_disagreement(const ArchivedSpecimen& s, std::size_t i, const model::Decision& d);

  const rules::RuleSet& candidate_;
  std::size_t listed_;
  BacktestReport report_;
  std::vector<RuleTally> rules_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> rules_by_code_;
  std::unordered_map<std::string, std::uint32_t> rule_index_;  ///< Rule ID -> index in rules().
  std::vector<long long> held_seconds_;  ///< Of the results the candidate releases sooner.
  long long last_false_negative_row_ = -1;
};

}  // namespace hemalink::validation
