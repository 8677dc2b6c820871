#include "server/rules/rule_set.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <map>

namespace hemalink::rules {
namespace {

constexpr std::uint32_t kMeasured = UINT32_MAX;  // a result no compute rule made

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string version_of(const std::vector<RuleSource>& sources,
                       const std::vector<std::string>& declared) {
  std::uint64_t hash = kFnvOffset;
  for (const auto& s : sources) {
    hash = fnv1a(fnv1a(hash, s.name), s.text);
  }
  std::string out;
  for (const auto& d : declared) {
    if (!d.empty())
      out.append(out.empty() ? "" : "+").append(d);
  }
  return out.append(fmt::format("#{:012x}", hash >> 16));
}

records::GateStatus status_of(const records::TestStatuses* qc, std::string_view code) {
  return qc != nullptr ? qc->status(code) : records::GateStatus::Unknown;
}

model::Observation calculated(const Rule& rule, double value) {
  const auto& c = *rule.compute;
  const double scale = std::pow(10.0, c.decimals);
  model::Observation o;
  o.code = c.code;
  o.is_mapped = true;
  o.numeric = std::round(value * scale) / scale;
  o.value = fmt::format("{:.{}f}", *o.numeric, c.decimals);
  o.units = c.units;
  o.decimals = c.decimals;
  o.status = model::ResultStatus::Final;
  o.comments.push_back(fmt::format("calculated by rule {}: {}", rule.id, c.text));
  return o;
}

// The reasons (or the ids) of the rules of `action` that fired, in order, joined by `separator`.
std::string listed(const std::vector<Rule>& rules, const std::vector<std::uint32_t>& fired,
                   model::RuleAction action, std::string Rule::*field, std::string_view separator) {
  std::string out;
  for (const auto i : fired) {
    if (rules[i].action == action)
      out.append(out.empty() ? "" : separator).append(rules[i].*field);
  }
  return out;
}

// Every interval that overlaps an earlier one of the set, named with where both are.
void check_overlaps(const std::vector<ReferenceInterval>& intervals, files::FileErrors& errors) {
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const auto& later = intervals[i];
    for (std::size_t j = 0; j < i; ++j) {
      const auto& earlier = intervals[j];
      if (!later.overlaps(earlier))
        continue;
      errors.push_back({later.file, later.at, later.where,
                        fmt::format("{} overlaps {} at {}:{}:{} ({}): a result of {} in both "
                                    "would have two reference intervals",
                                    later.describe(), earlier.where, earlier.file, earlier.at.line,
                                    earlier.at.column, earlier.describe(), later.test),
                        files::Errc::BadValue});
      break;
    }
  }
}

std::string reasons_of(const std::vector<Rule>& rules, const std::vector<std::uint32_t>& fired,
                       model::RuleAction action) {
  return listed(rules, fired, action, &Rule::reason, "; ");
}

}  // namespace

Result<std::shared_ptr<const RuleSet>, files::FileErrors> RuleSet::load(
    const std::vector<RuleSource>& sources) {
  auto set = std::make_shared<RuleSet>();
  files::FileErrors errors;
  std::vector<std::string> declared;
  std::map<std::string, const Rule*, std::less<>> first_of;
  std::vector<Rule> all;
  std::vector<ReferenceInterval> intervals;
  for (const auto& source : sources) {
    auto file = read_rule_file(source);
    if (!file) {
      errors.insert(errors.end(), file.error().begin(), file.error().end());
      continue;
    }
    auto& good = *file;
    declared.push_back(good.version);
    for (auto& rule : good.rules) {
      all.push_back(std::move(rule));
    }
    std::move(good.reference_intervals.begin(), good.reference_intervals.end(),
              std::back_inserter(intervals));
  }
  check_overlaps(intervals, errors);
  for (const auto& rule : all) {
    auto [it, is_new] = first_of.emplace(rule.id, &rule);
    if (!is_new) {
      errors.push_back(
          rule_error(rule.file, rule.at, rule.id,
                     fmt::format("id: \"{}\" is also the id of the rule at {}:{}:{}", rule.id,
                                 it->second->file, it->second->at.line, it->second->at.column),
                     files::Errc::BadValue));
    }
  }
  if (!errors.empty()) {
    return errors;
  }
  set->rules_ = std::move(all);
  set->intervals_ = ReferenceIntervals(std::move(intervals));
  set->version_ = version_of(sources, declared);
  set->decided_by_ = "rules:" + set->version_;
  set->index();
  return std::shared_ptr<const RuleSet>(std::move(set));
}

void RuleSet::index() {
  std::map<std::string, std::vector<std::pair<const CompiledExpression*, std::uint32_t>>,
           std::less<>>
      lists;
  std::vector<std::pair<const CompiledExpression*, std::uint32_t>> every_code;
  for (std::uint32_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    if (rule.action == model::RuleAction::Compute) {
      calculations_.push_back(i);
      continue;
    }
    for (const auto& code : rule.applies_to) {
      if (code != "*")
        lists.try_emplace(code);
    }
    if (rule.applies_to_every_result())
      every_code.emplace_back(&rule.when, i);
  }
  conditions_.push_back(CompiledExpression::join(every_code, facts_));
  std::vector<std::pair<std::string, std::uint32_t>> entries;
  for (auto& [code, list] : lists) {
    for (std::uint32_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].action != model::RuleAction::Compute && rules_[i].applies_to_code(code))
        list.emplace_back(&rules_[i].when, i);
    }
    entries.emplace_back(code, static_cast<std::uint32_t>(conditions_.size()));
    conditions_.push_back(CompiledExpression::join(list, facts_));
  }
  by_code_.build(entries);
  for (const auto& c : conditions_) {
    reads_previous_.push_back(c.reads_previous());
    reads_reference_.push_back(c.reads_reference());
  }
  reads_qc_status_ = std::any_of(rules_.begin(), rules_.end(), [](const Rule& r) {
    return r.when.reads_qc_status() || (r.compute && r.compute->expression.reads_qc_status());
  });
}

bool RuleSet::reads_previous(std::string_view code) const {
  return reads_previous_[by_code_.find(code, 0)];
}

namespace {

// Test codes are short: the hash reads a code's first and last eight (or four) bytes as words
// rather than byte by byte. Never 0: 0 marks an empty slot.
std::uint64_t code_hash(std::string_view code) {
  const auto n = code.size();
  const char* p = code.data();
  std::uint64_t head = 0;
  std::uint64_t tail = 0;
  if (n >= 8) {
    std::memcpy(&head, p, 8);
    std::memcpy(&tail, p + n - 8, 8);
  } else if (n >= 4) {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    head = a;
    tail = b;
  } else if (n > 0) {
    head = static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) << 8 |
           static_cast<unsigned char>(p[n - 1]) << 16;
  }
  std::uint64_t h = (head ^ n) * 0x9e3779b97f4a7c15ULL ^ tail;
  h *= 0xff51afd7ed558ccdULL;
  return (h ^ (h >> 32)) | 1;
}

}  // namespace

void RuleSet::CodeIndex::build(const std::vector<std::pair<std::string, std::uint32_t>>& entries) {
  std::size_t size = 16;
  while (size < entries.size() * 2)
    size *= 2;
  slots_.assign(size, {});
  mask_ = size - 1;
  for (const auto& [code, value] : entries) {
    const auto h = code_hash(code);
    auto i = h & mask_;
    while (slots_[i].hash != 0)
      i = (i + 1) & mask_;
    slots_[i] = {h, code, value};
  }
}

std::uint32_t RuleSet::CodeIndex::find(std::string_view code, std::uint32_t otherwise) const {
  const auto h = code_hash(code);
  for (auto i = h & mask_;; i = (i + 1) & mask_) {
    const auto& slot = slots_[i];
    if (slot.hash == 0)
      return otherwise;
    if (slot.hash == h && slot.code == code)
      return slot.value;
  }
}

void RuleSet::gather(const model::ResultSet& specimen, SpecimenFacts& facts) const {
  facts.gather(facts_, specimen);
}

const ReferenceInterval* RuleSet::reference_interval(const model::Observation& result,
                                                     const model::ResultSet& specimen) const {
  const auto* patient = specimen.patient ? &*specimen.patient : nullptr;
  return intervals_.find(result.code, result.units, patient ? patient->sex : "",
                         patient ? patient->age_years : std::nullopt);
}

model::Verdict RuleSet::evaluate(const EvaluationInput& input,
                                 std::vector<std::uint32_t>& fired) const {
  fired.clear();
  const auto c = by_code_.find(input.result.code, 0);
  if (reads_reference_[c] && input.reference == nullptr) {
    auto with_reference = input;
    with_reference.reference = reference_interval(input.result, input.specimen);
    conditions_[c].fire(with_reference, fired);
  } else {
    conditions_[c].fire(input, fired);
  }
  bool rerun = false;
  bool hold = false;
  bool release = false;
  for (const auto i : fired) {
    const auto action = rules_[i].action;
    rerun |= action == model::RuleAction::Rerun;
    hold |= action == model::RuleAction::Hold;
    release |= action == model::RuleAction::Release;
  }
  if (rerun)
    return is_rerun(input) ? model::Verdict::Hold : model::Verdict::Rerun;
  if (hold || !release)
    return model::Verdict::Hold;
  return model::Verdict::Release;
}

void RuleSet::calculate(model::ResultSet& specimen, const ResultHistory* history,
                        const records::TestStatuses* qc,
                        std::vector<std::uint32_t>& computed_by) const {
  for (const auto i : calculations_) {
    const auto& rule = rules_[i];
    if (model::find_result(specimen, rule.compute->code) != nullptr)
      continue;
    for (std::size_t o = 0; o < specimen.observations.size(); ++o) {
      if (!rule.applies_to_code(specimen.observations[o].code))
        continue;
      const auto& result = specimen.observations[o];
      const EvaluationInput in{result,
                               specimen,
                               history,
                               nullptr,
                               status_of(qc, result.code),
                               reference_interval(result, specimen)};
      if (rule.when.evaluate(in) != Truth::True)
        continue;
      if (const auto value = rule.compute->expression.evaluate_number(in)) {
        specimen.observations.push_back(calculated(rule, *value));
        computed_by.push_back(i);
      }
      break;
    }
  }
}

std::vector<model::Decision> RuleSet::decide(model::ResultSet& specimen,
                                             const ResultHistory* history,
                                             const records::TestStatuses* qc) const {
  if (!reads_qc_status_) {
    qc = nullptr;  // no rule reads it: the gate is not asked
  }
  std::vector<std::uint32_t> computed_by(specimen.observations.size(), kMeasured);
  calculate(specimen, history, qc, computed_by);
  std::vector<model::Decision> decisions;
  decisions.reserve(specimen.observations.size());
  std::vector<std::uint32_t> fired;
  std::vector<std::string> comments;
  SpecimenFacts facts;
  gather(specimen, facts);
  for (std::size_t o = 0; o < specimen.observations.size(); ++o) {
    const auto& result = specimen.observations[o];
    const EvaluationInput in{result, specimen, history, &facts, status_of(qc, result.code)};
    const auto verdict = evaluate(in, fired);
    decisions.push_back(decision(verdict, fired, computed_by[o]));
    comments.clear();
    for (const auto i : fired) {
      if (rules_[i].action == model::RuleAction::Comment)
        comments.push_back(rules_[i].reason);
    }
    auto& result_comments = specimen.observations[o].comments;
    for (auto& c : comments) {
      if (std::find(result_comments.begin(), result_comments.end(), c) == result_comments.end())
        result_comments.push_back(std::move(c));
    }
  }
  return decisions;
}

model::Decision RuleSet::decision(model::Verdict verdict, const std::vector<std::uint32_t>& fired,
                                  std::uint32_t computed_by) const {
  model::Decision d;
  d.verdict = verdict;
  d.rule_set_version = version_;
  d.decided_by = decided_by_;
  if (computed_by != kMeasured) {
    const auto& rule = rules_[computed_by];
    d.fired.push_back({rule.id, rule.action, "calculated: " + rule.compute->text, ""});
  }
  for (const auto i : fired) {
    const auto& rule = rules_[i];
    d.fired.push_back({rule.id, rule.action, rule.reason, rule.reflex_test});
  }
  using model::RuleAction;
  switch (verdict) {
    case model::Verdict::Rerun:
      d.reason = reasons_of(rules_, fired, RuleAction::Rerun);
      break;
    case model::Verdict::Hold: {
      // A rerun rule fired and yet the result is held: it is already a rerun.
      const auto reruns = reasons_of(rules_, fired, RuleAction::Rerun);
      auto why = reasons_of(rules_, fired, RuleAction::Hold);
      if (!reruns.empty()) {
        why.append(why.empty() ? "" : "; ")
            .append(reruns)
            .append(" (already a rerun: held, not rerun again)");
      }
      d.reason = why.empty() ? "no rule released this result: held for review" : why;
      break;
    }
    default:
      d.reason = "released by " + listed(rules_, fired, RuleAction::Release, &Rule::id, ", ");
  }
  return d;
}

std::vector<RuleSet::Trace> RuleSet::explain(const EvaluationInput& input) const {
  auto in = input;
  if (in.reference == nullptr)
    in.reference = reference_interval(in.result, in.specimen);
  std::vector<Trace> out;
  for (const auto& rule : rules_) {
    if (rule.applies_to_code(in.result.code)) {
      out.push_back({&rule, rule.when.evaluate(in), rule.when.inputs(in)});
    }
  }
  return out;
}

}  // namespace hemalink::rules
