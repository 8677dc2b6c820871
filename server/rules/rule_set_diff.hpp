#pragma once

#include <string>
#include <vector>

#include "server/rules/rule.hpp"
#include "server/rules/rule_set.hpp"

namespace hemalink::rules {

/// A rule only one side has: its id, what it does and when.
struct RuleSummary {
  std::string id;
  std::string action;
  std::string when;
};

/// A rule both sides have (by id) that differs: the fields that do, named as in the rules file
/// (`when`, `applies_to`, `compute.expr`, ...).
struct RuleChange {
  std::string id;
  std::vector<std::string> fields;
};

/// What changed from one rule set to another, by rule id: added and changed rules in the new
/// set's order, removed ones in the old set's.
struct RuleSetDiff {
  std::vector<RuleSummary> added;
  std::vector<RuleSummary> removed;
  std::vector<RuleChange> changed;
  /// Reference intervals only one side has, described (`HGB, sex M, ages 18 and over:
  /// 13.5-17.5 g/dL`): a changed limit is one removed and one added.
  std::vector<std::string> intervals_added;
  std::vector<std::string> intervals_removed;

  bool is_empty() const {
    return added.empty() && removed.empty() && changed.empty() && intervals_added.empty() &&
           intervals_removed.empty();
  }
};

/// The rules of `to` compared with those of `from`. A rule's file and place in it are not
/// compared: moving a rule changes nothing it decides.
RuleSetDiff diff_rule_sets(const std::vector<Rule>& from, const std::vector<Rule>& to);
/// The same, and the sets' reference intervals compared (their file and place are not).
RuleSetDiff diff_rule_sets(const RuleSet& from, const RuleSet& to);

/// The diff as people read it: a header naming both sides, then one line per rule.
std::string diff_text(const RuleSetDiff& diff, const std::string& from, const std::string& to);

/// The diff as JSON text: {"from", "to", "added": [{"id", "action", "when"}], "removed": [...],
/// "changed": [{"id", "fields"}], "intervals_added": [text], "intervals_removed": [text]}.
std::string diff_json(const RuleSetDiff& diff, const std::string& from, const std::string& to);

}  // namespace hemalink::rules
