#include "server/cli/rules_yield.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "server/cli/shared_options.hpp"
#include "server/files/file_error.hpp"
#include "server/ingest/order_matching.hpp"
#include "server/rules/rule_cases.hpp"
#include "server/rules/rule_files.hpp"
#include "server/simulate/lab_day.hpp"

namespace hemalink::cli {
namespace {

struct YieldArgs {
  std::vector<std::filesystem::path> rules;
  simulate::LabProfile profile = simulate::LabProfile::Hospital;
  std::uint32_t first_seed = 1;
  std::uint32_t last_seed = 10;
  std::size_t specimens = 5000;
};

// A or A-B, A at most B: the seeds' numbers.
std::optional<std::pair<std::uint32_t, std::uint32_t>> seeds_of(const std::string& text) {
  const auto dash = text.find('-');
  const auto first = text.substr(0, dash);
  const auto last = dash == std::string::npos ? first : text.substr(dash + 1);
  const auto a = number_in<std::uint32_t>(first);
  const auto b = number_in<std::uint32_t>(last);
  if (!a || !b || *a > *b) {
    return std::nullopt;
  }
  return std::pair{*a, *b};
}

// A tube as the analyzer's driver would have read it, with what the daemon would know.
rules::RuleCase case_of(const simulate::LabDay& day, const simulate::LabSpecimen& s,
                        const simulate::LabSpecimen* earlier) {
  const auto& p = day.patients[s.patient];
  rules::RuleCase c;
  c.name = s.id;
  c.specimen.specimen_id = s.id;
  c.specimen.patient =
      model::Patient{p.id, std::string(1, p.sex), p.birth_date,
                     ingest::age_on(p.birth_date, std::chrono::system_clock::now())};
  for (const auto& v : s.results) {
    model::Observation o;
    o.code = v.code;
    o.numeric = v.value;
    o.value = fmt::format("{}", v.value);
    if (s.sample_check_failed)
      o.flags.push_back("W");
    c.specimen.observations.push_back(std::move(o));
    c.qc_status[v.code] = records::GateStatus::In;
  }
  for (const auto& m : s.messages) {
    if (m.is_positive)
      c.specimen.specimen_flags.push_back(
          {m.name, m.q ? std::optional<double>(*m.q) : std::nullopt, true});
  }
  if (earlier != nullptr) {
    const double hours = std::max(1, (s.drawn_minute - earlier->drawn_minute) / 60);
    for (const auto& v : earlier->results)
      c.previous.push_back({v.code, v.value, hours});
  }
  return c;
}

struct Tally {
  std::size_t tubes = 0;
  std::size_t released = 0;
  std::size_t must_review = 0;
  std::vector<std::string> false_negatives;
  std::map<std::string, std::size_t> needless_by_rule;
  std::vector<double> shares;  ///< Per seed.
};

// The rules that held or reran any result of a tube.
std::vector<std::string> holding_rules(const rules::CaseOutcome& outcome) {
  std::vector<std::string> ids;
  for (const auto& d : outcome.decisions) {
    for (const auto& f : d.fired) {
      const bool holds =
          f.action == model::RuleAction::Hold || f.action == model::RuleAction::Rerun;
      if (holds && std::find(ids.begin(), ids.end(), f.rule_id) == ids.end())
        ids.push_back(f.rule_id);
    }
  }
  return ids;
}

void count_day(const rules::RuleSet& set, const simulate::LabDay& day, Tally& t) {
  std::map<std::pair<std::size_t, int>, const simulate::LabSpecimen*> last;
  std::size_t released = 0;
  for (const auto& s : day.specimens) {
    auto& earlier = last[{s.patient, static_cast<int>(s.bench)}];
    const auto outcome = rules::run_case(set, case_of(day, s, earlier));
    earlier = &s;
    const bool is_released =
        std::all_of(outcome.decisions.begin(), outcome.decisions.end(),
                    [](const model::Decision& d) { return d.verdict == model::Verdict::Release; });
    released += is_released ? 1 : 0;
    t.must_review += s.truth.must_review ? 1 : 0;
    if (is_released && s.truth.must_review)
      t.false_negatives.push_back(fmt::format("{} {}: {}", s.id, s.truth.condition, s.truth.why));
    if (!is_released && !s.truth.must_review) {
      for (const auto& id : holding_rules(outcome))
        ++t.needless_by_rule[id];
    }
  }
  t.tubes += day.specimens.size();
  t.released += released;
  t.shares.push_back(100.0 * static_cast<double>(released) /
                     static_cast<double>(day.specimens.size()));
}

void print(const YieldArgs& a, const std::string& version, const Tally& t, std::ostream& out) {
  const auto [low, high] = std::minmax_element(t.shares.begin(), t.shares.end());
  fmt::print(out, "rule set {} on {} lab days {}-{} of {} tubes ({} tubes)\n", version,
             simulate::name_of(a.profile), a.first_seed, a.last_seed, a.specimens, t.tubes);
  fmt::print(out, "released without a person: {} ({:.2f} %); per seed {:.2f}-{:.2f} %\n",
             t.released, 100.0 * static_cast<double>(t.released) / static_cast<double>(t.tubes),
             *low, *high);
  fmt::print(out, "a person must see: {}; false negatives: {}\n", t.must_review,
             t.false_negatives.size());
  for (std::size_t i = 0; i < t.false_negatives.size() && i < 20; ++i)
    fmt::print(out, "  FALSE NEGATIVE {}\n", t.false_negatives[i]);
  std::vector<std::pair<std::size_t, std::string>> needless;
  for (const auto& [id, n] : t.needless_by_rule)
    needless.emplace_back(n, id);
  std::sort(needless.rbegin(), needless.rend());
  fmt::print(out, "needless holds (tubes), by rule:\n");
  for (const auto& [n, id] : needless)
    fmt::print(out, "  {:>8}  {}\n", n, id);
}

int rules_yield(const YieldArgs& a, std::ostream& out, std::ostream& err) {
  auto loaded = rules::load_rule_files(a.rules);
  if (!loaded) {
    fmt::print(err, "{}\n", files::describe(loaded.error(), "\n"));
    return 2;
  }
  Tally t;
  for (auto seed = a.first_seed; seed <= a.last_seed; ++seed) {
    simulate::LabDayPlan plan;
    plan.specimens = a.specimens;
    plan.profile = a.profile;
    plan.seed = seed;
    count_day(**loaded, simulate::generate_lab_day(plan), t);
  }
  print(a, (*loaded)->version(), t, out);
  return t.false_negatives.empty() ? 0 : 1;
}

void declare_options(CLI::App& app, YieldArgs& a) {
  add_rule_files_option(app, a.rules);
  add_lab_profile_option(app, a.profile);
  app.add_option_function<std::string>(
         "--seeds",
         [&a](const std::string& text) { std::tie(a.first_seed, a.last_seed) = *seeds_of(text); },
         "the lab days' seeds, A to B")
      ->type_name("A-B")
      ->default_str("1-10")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return seeds_of(text) ? ""
                                  : fmt::format("expected A-B or A, A at most B, got \"{}\"", text);
          },
          "", "seeds"));
  add_whole_number_option(app, "--specimens", a.specimens, "tubes in each lab day", 1);
}

}  // namespace

void add_rules_yield_command(CLI::App& rules, CommandActions& actions) {
  add_command<YieldArgs>(
      rules, actions, "yield",
      "a rule set on generated lab days (simulate --lab-day's), in process: each tube decided "
      "with its patient's earlier tube of the day as history and the QC gate in, counted against "
      "the day's truth: released without a person, false negatives, needless holds by rule; exit "
      "1 on a false negative",
      declare_options, rules_yield);
}

}  // namespace hemalink::cli
