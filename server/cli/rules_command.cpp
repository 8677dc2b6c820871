#include "server/cli/rules_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>

#include "server/cli/rules_backtest.hpp"
#include "server/cli/rules_versions.hpp"
#include "server/cli/rules_yield.hpp"
#include "server/cli/shared_options.hpp"
#include "server/files/text_file.hpp"
#include "server/rules/rule_cases.hpp"
#include "server/rules/rule_files.hpp"

namespace hemalink::cli {
namespace {

using rules::RuleCase;
using rules::RuleSet;

struct RulesArgs {
  std::vector<std::filesystem::path> rules;
  std::string cases;
  std::optional<std::string> case_name;
};

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

struct Loaded {
  std::shared_ptr<const RuleSet> set;
  std::vector<RuleCase> cases;
};

// The rule set and the cases of the command line; nullopt (told on `err`) when either cannot be
// read.
std::optional<Loaded> load(const RulesArgs& a, std::ostream& err) {
  auto loaded = rules::load_rule_files(a.rules);
  if (!loaded) {
    const auto& errors = loaded.error();
    fmt::print(err, "{}\n", files::describe(errors, "\n"));
    fmt::print(err, "the rules were not loaded: {} error{}\n", errors.size(),
               errors.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  const auto text = files::read_text_file(a.cases);
  if (!text) {
    fmt::print(err, "{}: cannot read the cases file\n", a.cases);
    return std::nullopt;
  }
  auto cases = rules::read_rule_cases(*text, a.cases);
  if (!cases) {
    fmt::print(err, "{}\n", files::describe(cases.error(), "\n"));
    return std::nullopt;
  }
  return Loaded{std::move(*loaded), std::move(*cases)};
}

int test(const RulesArgs& a, std::ostream& out, std::ostream& err) {
  const auto loaded = load(a, err);
  return loaded ? run_test(*loaded->set, loaded->cases, out) : 2;
}

int explain(const RulesArgs& a, std::ostream& out, std::ostream& err) {
  const auto loaded = load(a, err);
  if (!loaded) {
    return 2;
  }
  const auto& all = loaded->cases;
  const RuleCase* chosen = all.size() == 1 && !a.case_name ? &all[0] : nullptr;
  for (const auto& c : all) {
    if (a.case_name && c.name == *a.case_name) {
      chosen = &c;
    }
  }
  if (chosen == nullptr) {
    fmt::print(err, "{}: {}\n", a.cases,
               a.case_name ? fmt::format("no case is named \"{}\"", *a.case_name)
                           : std::string("it has several cases: choose one with --case NAME"));
    return 2;
  }
  return run_explain(*loaded->set, *chosen, out);
}

// `rules test`'s and `rules explain`'s: the rule files and the cases file.
void declare_case_run(CLI::App& app, RulesArgs& a) {
  add_rule_files_option(app, a.rules);
  app.add_option("CASES", a.cases, "the test cases (JSON)")->required();
}

}  // namespace

void add_rules_command(CLI::App& hemalink, CommandActions& actions) {
  auto* rules = hemalink.add_subcommand("rules",
                                        "autoverification rule sets on test cases and "
                                        "on generated lab days; their stored versions");
  rules->require_subcommand(0, 1);
  add_command<RulesArgs>(*rules, actions, "test",
                         "run a rule set on test cases: each case pass/FAIL with the rules that "
                         "fired; exit 1 on any mismatch",
                         declare_case_run, test);
  add_command<RulesArgs>(
      *rules, actions, "explain",
      "for one case, every rule evaluated on each result, what it read, and why it fired or not",
      [](CLI::App& app, RulesArgs& a) {
        declare_case_run(app, a);
        app.add_option("--case", a.case_name, "the case (needed when the file has several)")
            ->type_name("NAME");
      },
      explain);
  add_rules_yield_command(*rules, actions);
  add_rules_backtest_command(*rules, actions);
  add_rules_versions_commands(*rules, actions);
}

}  // namespace hemalink::cli
