#include "server/rules/rule_cases.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "drivers/common/values.hpp"
#include "server/files/json_fields.hpp"
#include "server/files/json_text_positions.hpp"

namespace hemalink::rules {
namespace {

using json = nlohmann::json;
using files::JsonFields;

constexpr model::Verdict kVerdicts[] = {model::Verdict::Release, model::Verdict::Hold,
                                        model::Verdict::Rerun};
constexpr model::ResultStatus kStatuses[] = {
    model::ResultStatus::Final, model::ResultStatus::Preliminary, model::ResultStatus::Corrected,
    model::ResultStatus::CannotReport};

model::Observation read_result(JsonFields& f) {
  model::Observation o;
  f.text("code", o.code, true);
  o.raw_code = o.code;
  o.is_mapped = true;
  std::string value;
  f.text("value", value);
  const auto parsed = drivers::parse_value(value);
  o.value = parsed.text;
  o.numeric = parsed.numeric;
  o.comparator = parsed.comparator;
  f.text("units", o.units);
  f.text("abnormal_flag", o.abnormal_flag);
  f.text_list("flags", o.flags);
  if (auto s = f.choice("status", {"final", "preliminary", "corrected", "cannot_report"})) {
    o.status = kStatuses[*s];
  }
  return o;
}

void read_specimen(const json& object, const std::string& path, RuleCase& c,
                   files::FileErrors& errors) {
  JsonFields f(object, path, errors);
  auto& s = c.specimen;
  f.text("specimen_id", s.specimen_id);
  f.boolean("is_rerun", s.is_rerun);
  if (auto kind = f.choice("kind", {"patient", "qc"})) {
    s.kind = *kind == 0 ? model::SpecimenKind::Patient : model::SpecimenKind::QualityControl;
  }
  if (const auto* patient = f.object("patient")) {
    JsonFields p(*patient, f.path_of("patient"), errors);
    model::Patient who;
    p.text("id", who.id);
    p.text("sex", who.sex);
    double age = -1;
    p.number("age_years", age, 0, 150);
    if (age >= 0)
      who.age_years = age;
    s.patient = std::move(who);
  }
  f.each_object(
      "results", [&](JsonFields& result) { s.observations.push_back(read_result(result)); }, true);
  std::vector<std::string> flags;
  f.text_list("specimen_flags", flags);
  for (auto& name : flags) {
    s.specimen_flags.push_back({std::move(name), std::nullopt, true});
  }
  f.each_object("previous", [&](JsonFields& p) {
    PastResult past;
    std::string value;
    p.text("code", past.code, true);
    p.text("value", value, true);
    p.number("hours_ago", past.hours_ago, 0, 1e6, true);
    if (auto n = drivers::parse_number(value)) {
      past.value = *n;
      c.previous.push_back(std::move(past));
    } else if (!value.empty()) {
      p.error(p.path_of("value"), fmt::format("expected a number, got \"{}\"", value));
    }
  });
  if (const auto* statuses = f.object("qc_status")) {
    for (const auto& [code, word] : statuses->items()) {
      const auto w = word.is_string() ? word.get<std::string>() : "";
      const records::GateStatus all[] = {records::GateStatus::In, records::GateStatus::Out,
                                         records::GateStatus::Unknown};
      const auto at = std::find_if(std::begin(all), std::end(all),
                                   [&](auto s) { return w == records::to_string(s); });
      if (at == std::end(all)) {
        f.error(
            fmt::format("{}.qc_status.{}", path, code),
            fmt::format("expected \"in\", \"out\" or \"unknown\", got {}", files::describe(word)));
        continue;
      }
      c.qc_status[code] = *at;
    }
  }
  if (const auto* same = f.object("same_specimen")) {
    for (const auto& [code, value] : same->items()) {
      if (auto n =
              value.is_string() ? drivers::parse_number(value.get<std::string>()) : std::nullopt) {
        c.same_specimen[code] = *n;
      } else {
        f.error(fmt::format("{}.same_specimen.{}", path, code), "expected a number as a string");
      }
    }
  }
}

void read_expectations(JsonFields& f, RuleCase& c) {
  if (const auto* expect = f.object("expect", true)) {
    for (const auto& [code, verdict] : expect->items()) {
      const auto v = verdict.is_string() ? verdict.get<std::string>() : "";
      const auto at = std::find_if(std::begin(kVerdicts), std::end(kVerdicts),
                                   [&](auto k) { return v == model::to_string(k); });
      if (at == std::end(kVerdicts)) {
        f.error(fmt::format("{}.expect.{}", f.path(), code),
                fmt::format("expected \"release\", \"hold\" or \"rerun\", got {}",
                            files::describe(verdict)));
        continue;
      }
      c.expect[code] = *at;
    }
  }
  if (const auto* values = f.object("expect_values")) {
    for (const auto& [code, value] : values->items()) {
      c.expect_values[code] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
}

}  // namespace

Result<std::vector<RuleCase>, files::FileErrors> read_rule_cases(std::string_view text,
                                                                 const std::string& file) {
  auto parsed = files::parse_json(text, file);
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  const json& document = *parsed;
  files::FileErrors errors;
  std::vector<RuleCase> cases;
  {
    JsonFields top(document, "", errors);
    std::string description;
    top.text("description", description);
    top.each_object(
        "cases",
        [&](JsonFields& f) {
          RuleCase c;
          f.text("name", c.name, true);
          if (const auto* specimen = f.object("specimen", true)) {
            read_specimen(*specimen, f.path_of("specimen"), c, errors);
          }
          read_expectations(f, c);
          cases.push_back(std::move(c));
        },
        true);
  }
  if (!errors.empty()) {
    return files::in_file(std::move(errors), file);
  }
  return cases;
}

std::optional<double> CaseHistory::previous(const model::ResultSet&, std::string_view code,
                                            double within_seconds) const {
  const PastResult* best = nullptr;
  for (const auto& p : case_.previous) {
    if (p.code == code && p.hours_ago * 3600 <= within_seconds &&
        (best == nullptr || p.hours_ago < best->hours_ago))
      best = &p;
  }
  return best ? std::optional<double>(best->value) : std::nullopt;
}

std::optional<double> CaseHistory::same_specimen(const model::ResultSet&,
                                                 std::string_view code) const {
  const auto it = case_.same_specimen.find(code);
  return it == case_.same_specimen.end() ? std::nullopt : std::optional<double>(it->second);
}

records::GateStatus CaseQcStatuses::status(std::string_view test) const {
  const auto it = case_.qc_status.find(test);
  return it == case_.qc_status.end() ? records::GateStatus::Unknown : it->second;
}

CaseOutcome run_case(const RuleSet& rules, const RuleCase& c) {
  CaseOutcome out;
  out.specimen = c.specimen;
  const CaseHistory history(c);
  const CaseQcStatuses statuses(c);
  out.decisions = rules.decide(out.specimen, &history, &statuses);
  for (const auto& [code, expected] : c.expect) {
    const auto* o = model::find_result(out.specimen, code);
    if (o == nullptr) {
      out.mismatches.push_back(fmt::format("{}: expected {}, but there is no {} result", code,
                                           model::to_string(expected), code));
      continue;
    }
    // decide() returns one decision per result, in the specimen's order.
    const auto& decision =
        out.decisions[static_cast<std::size_t>(o - out.specimen.observations.data())];
    if (decision.verdict != expected) {
      out.mismatches.push_back(fmt::format("{}: expected {}, got {}", code,
                                           model::to_string(expected),
                                           model::to_string(decision.verdict)));
    }
  }
  for (const auto& [code, expected] : c.expect_values) {
    const auto* o = model::find_result(out.specimen, code);
    if (o == nullptr || o->value != expected) {
      out.mismatches.push_back(fmt::format("{}: expected the value {}, got {}", code, expected,
                                           o ? o->value : "no result"));
    }
  }
  return out;
}

RuleCoverage coverage(const RuleSet& rules, const std::vector<RuleCase>& cases) {
  std::set<const Rule*> fired;
  std::set<const Rule*> passed_over;
  for (const auto& c : cases) {
    const auto outcome = run_case(rules, c);
    const CaseHistory history(c);
    const CaseQcStatuses statuses(c);
    for (const auto& o : outcome.specimen.observations) {
      const EvaluationInput in{o, outcome.specimen, &history, nullptr, statuses.status(o.code)};
      for (const auto& trace : rules.explain(in)) {
        (trace.truth == Truth::True ? fired : passed_over).insert(trace.rule);
      }
    }
  }
  RuleCoverage out;
  for (const auto& rule : rules.rules()) {
    if (fired.count(&rule) == 0)
      out.never_fired.push_back(rule.id);
    if (passed_over.count(&rule) == 0)
      out.never_passed_over.push_back(rule.id);
  }
  return out;
}

}  // namespace hemalink::rules
