#include "server/rules/rule_set_diff.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

namespace hemalink::rules {
namespace {

using nlohmann::json;

template <typename Value>
void compare(std::vector<std::string>& fields, const char* name, const Value& a, const Value& b) {
  if (a != b)
    fields.emplace_back(name);
}

std::vector<std::string> fields_differing(const Rule& a, const Rule& b) {
  std::vector<std::string> f;
  compare(f, "description", a.description, b.description);
  compare(f, "source", a.source, b.source);
  compare(f, "applies_to", a.applies_to, b.applies_to);
  compare(f, "when", a.when_text, b.when_text);
  compare(f, "action", a.action, b.action);
  compare(f, "reason", a.reason, b.reason);
  compare(f, "reflex_test", a.reflex_test, b.reflex_test);
  if (a.compute.has_value() != b.compute.has_value()) {
    f.emplace_back("compute");
  } else if (a.compute) {
    compare(f, "compute.code", a.compute->code, b.compute->code);
    compare(f, "compute.expr", a.compute->text, b.compute->text);
    compare(f, "compute.units", a.compute->units, b.compute->units);
    compare(f, "compute.decimals", a.compute->decimals, b.compute->decimals);
  }
  return f;
}

RuleSummary summary_of(const Rule& r) {
  return {r.id, model::to_string(r.action), r.when_text};
}

std::map<std::string, const Rule*> by_id(const std::vector<Rule>& rules) {
  std::map<std::string, const Rule*> out;
  for (const auto& r : rules)
    out.emplace(r.id, &r);
  return out;
}

json summaries_json(const std::vector<RuleSummary>& rules) {
  json out = json::array();
  for (const auto& r : rules)
    out.push_back({{"id", r.id}, {"action", r.action}, {"when", r.when}});
  return out;
}

std::vector<std::string> intervals_of(const RuleSet& set) {
  std::vector<std::string> out;
  for (const auto& i : set.reference_intervals().all()) {
    out.push_back(
        fmt::format("{}: {}{}{}", i.describe(), i.range, i.units.empty() ? "" : " ", i.units));
  }
  return out;
}

// What `of` has and `other` lacks, in `of`'s order.
std::vector<std::string> only_in(const std::vector<std::string>& of,
                                 const std::vector<std::string>& other) {
  std::vector<std::string> out;
  std::copy_if(of.begin(), of.end(), std::back_inserter(out), [&](const std::string& s) {
    return std::find(other.begin(), other.end(), s) == other.end();
  });
  return out;
}

}  // namespace

RuleSetDiff diff_rule_sets(const RuleSet& from, const RuleSet& to) {
  auto diff = diff_rule_sets(from.rules(), to.rules());
  const auto old_intervals = intervals_of(from);
  const auto new_intervals = intervals_of(to);
  diff.intervals_added = only_in(new_intervals, old_intervals);
  diff.intervals_removed = only_in(old_intervals, new_intervals);
  return diff;
}

RuleSetDiff diff_rule_sets(const std::vector<Rule>& from, const std::vector<Rule>& to) {
  const auto old_rules = by_id(from);
  const auto new_rules = by_id(to);
  RuleSetDiff diff;
  for (const auto& r : to) {
    const auto it = old_rules.find(r.id);
    if (it == old_rules.end()) {
      diff.added.push_back(summary_of(r));
    } else if (auto fields = fields_differing(*it->second, r); !fields.empty()) {
      diff.changed.push_back({r.id, std::move(fields)});
    }
  }
  for (const auto& r : from) {
    if (!new_rules.contains(r.id))
      diff.removed.push_back(summary_of(r));
  }
  return diff;
}

std::string diff_text(const RuleSetDiff& diff, const std::string& from, const std::string& to) {
  std::string out = fmt::format("rules from {} to {}: {} added, {} removed, {} changed\n", from, to,
                                diff.added.size(), diff.removed.size(), diff.changed.size());
  for (const auto& r : diff.added)
    out.append(fmt::format("+ {} [{}] when {}\n", r.id, r.action, r.when));
  for (const auto& r : diff.removed)
    out.append(fmt::format("- {} [{}] when {}\n", r.id, r.action, r.when));
  for (const auto& c : diff.changed)
    out.append(fmt::format("~ {}: {}\n", c.id, fmt::join(c.fields, ", ")));
  if (!diff.intervals_added.empty() || !diff.intervals_removed.empty()) {
    out.append(fmt::format("reference intervals: {} added, {} removed\n",
                           diff.intervals_added.size(), diff.intervals_removed.size()));
  }
  for (const auto& i : diff.intervals_added)
    out.append(fmt::format("+ interval {}\n", i));
  for (const auto& i : diff.intervals_removed)
    out.append(fmt::format("- interval {}\n", i));
  return out;
}

std::string diff_json(const RuleSetDiff& diff, const std::string& from, const std::string& to) {
  json changed = json::array();
  for (const auto& c : diff.changed)
    changed.push_back({{"id", c.id}, {"fields", c.fields}});
  return json{{"from", from},
              {"to", to},
              {"added", summaries_json(diff.added)},
              {"removed", summaries_json(diff.removed)},
              {"changed", changed},
              {"intervals_added", diff.intervals_added},
              {"intervals_removed", diff.intervals_removed}}
      .dump();
}

}  // namespace hemalink::rules
