#include "server/cli/rules_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <filesystem>
#include <optional>

#include "server/cli/rules_yield.hpp"
#include "server/files/text_file.hpp"
#include "server/rules/rule_cases.hpp"
#include "server/rules/rule_files.hpp"

namespace hemalink::cli {
namespace {

using rules::RuleCase;
using rules::RuleSet;

constexpr const char* kUsage =
    "usage: hemalink rules test --rules FILE [--rules FILE...] CASES.json\n"
    "       hemalink rules explain --rules FILE [--rules FILE...] CASES.json [--case NAME]\n"
    "       hemalink rules yield --rules FILE [--rules FILE...] [--profile P] [--seeds A-B]\n"
    "                            [--specimens N]   (rules yield --help)\n";

struct RulesArgs {
  std::string command;
  std::vector<std::filesystem::path> rules;
  std::string cases;
  std::optional<std::string> case_name;
};

std::optional<RulesArgs> parse_args(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "test" && args[0] != "explain"))
    return std::nullopt;
  RulesArgs out;
  out.command = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--rules" && has_value) {
      out.rules.emplace_back(args[++i]);
    } else if (args[i] == "--case" && has_value && out.command == "explain") {
      out.case_name = args[++i];
    } else if (!args[i].starts_with("-") && out.cases.empty()) {
      out.cases = args[i];
    } else {
      return std::nullopt;
    }
  }
  if (out.rules.empty() || out.cases.empty())
    return std::nullopt;
  return out;
}

std::string fired_summary(const model::ResultSet& specimen,
                          const std::vector<model::Decision>& decisions) {
  std::string out;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    std::string ids;
    for (const auto& f : decisions[i].fired)
      ids.append(ids.empty() ? "" : ", ").append(f.rule_id);
    out.append(fmt::format("        {} {} {}{}\n", specimen.observations[i].code,
                           specimen.observations[i].value, model::to_string(decisions[i].verdict),
                           ids.empty() ? "" : " (" + ids + ")"));
  }
  return out;
}

int run_test(const RuleSet& set, const std::vector<RuleCase>& cases, std::ostream& out) {
  std::size_t failed = 0;
  for (const auto& c : cases) {
    const auto outcome = rules::run_case(set, c);
    fmt::print(out, "{}  {}\n", outcome.passed() ? "pass" : "FAIL", c.name);
    for (const auto& m : outcome.mismatches)
      fmt::print(out, "      {}\n", m);
    fmt::print(out, "{}", fired_summary(outcome.specimen, outcome.decisions));
    failed += outcome.passed() ? 0 : 1;
  }
  fmt::print(out, "rule set {}: {} case{}, {} passed, {} failed\n", set.version(), cases.size(),
             cases.size() == 1 ? "" : "s", cases.size() - failed, failed);
  const auto covered = rules::coverage(set, cases);
  auto list = [](const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids)
      s.append(s.empty() ? "" : ", ").append(id);
    return s;
  };
  if (!covered.never_fired.empty())
    fmt::print(out, "rules no case made fire: {}\n", list(covered.never_fired));
  if (!covered.never_passed_over.empty())
    fmt::print(out, "rules every case made fire: {}\n", list(covered.never_passed_over));
  return failed == 0 ? 0 : 1;
}

const char* shown(rules::Truth truth) {
  switch (truth) {
    case rules::Truth::True:
      return "fired";
    case rules::Truth::False:
      return "not fired";
    case rules::Truth::Unknown:
      return "not fired (reads missing data)";
  }
  return "?";
}

int run_explain(const RuleSet& set, const RuleCase& c, std::ostream& out) {
  const auto outcome = rules::run_case(set, c);
  const rules::CaseHistory history(c);
  const rules::CaseQcStatuses statuses(c);
  fmt::print(out, "case \"{}\", rule set {}\n", c.name, set.version());
  for (std::size_t i = 0; i < outcome.specimen.observations.size(); ++i) {
    const auto& o = outcome.specimen.observations[i];
    const auto& d = outcome.decisions[i];
    fmt::print(out, "\n{} = {} {}: {} ({})\n", o.code, o.value, o.units,
               model::to_string(d.verdict), d.reason);
    const rules::EvaluationInput in{o, outcome.specimen, &history, nullptr,
                                    statuses.status(o.code)};
    for (const auto& trace : set.explain(in)) {
      std::string read;
      for (const auto& [name, value] : trace.inputs)
        read.append(read.empty() ? "" : ", ").append(name).append(" = ").append(value);
      fmt::print(out, "  {:<9} {} [{}] when {}\n            read: {}\n", shown(trace.truth),
                 trace.rule->id, model::to_string(trace.rule->action), trace.rule->when_text,
                 read.empty() ? "nothing" : read);
    }
    for (const auto& comment : o.comments)
      fmt::print(out, "  comment: {}\n", comment);
  }
  for (const auto& m : outcome.mismatches)
    fmt::print(out, "\nMISMATCH {}\n", m);
  return outcome.passed() ? 0 : 1;
}

}  // namespace

int run_rules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "yield") {
    return run_rules_yield({args.begin() + 1, args.end()}, out, err);
  }
  const auto parsed = parse_args(args);
  if (!parsed) {
    fmt::print(err, "{}", kUsage);
    return 2;
  }
  auto loaded = rules::load_rule_files(parsed->rules);
  if (!loaded) {
    const auto& errors = loaded.error();
    fmt::print(err, "{}\n", files::describe(errors, "\n"));
    fmt::print(err, "the rules were not loaded: {} error{}\n", errors.size(),
               errors.size() == 1 ? "" : "s");
    return 2;
  }
  const auto& set = **loaded;
  const auto text = files::read_text_file(parsed->cases);
  if (!text) {
    fmt::print(err, "{}: cannot read the cases file\n", parsed->cases);
    return 2;
  }
  auto cases = rules::read_rule_cases(*text, parsed->cases);
  if (!cases) {
    fmt::print(err, "{}\n", files::describe(cases.error(), "\n"));
    return 2;
  }
  const auto& all = *cases;
  if (parsed->command == "test") {
    return run_test(set, all, out);
  }
  const RuleCase* chosen = all.size() == 1 && !parsed->case_name ? &all[0] : nullptr;
  for (const auto& c : all) {
    if (parsed->case_name && c.name == *parsed->case_name)
      chosen = &c;
  }
  if (chosen == nullptr) {
    fmt::print(err, "{}: {}\n", parsed->cases,
               parsed->case_name
                   ? fmt::format("no case is named \"{}\"", *parsed->case_name)
                   : std::string("it has several cases: choose one with --case NAME"));
    return 2;
  }
  return run_explain(set, *chosen, out);
}

}  // namespace hemalink::cli
