#include "server/cli/rules_backtest.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "server/cli/shared_options.hpp"
#include "server/daemon/backtest_plan.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_files.hpp"
#include "server/validation/archive_time.hpp"
#include "server/validation/postgres_backtest_records.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "server/validation/recorded_backtest.hpp"

namespace hemalink::cli {
namespace {

struct BacktestArgs {
  std::vector<std::string> candidate;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::vector<std::string> analyzers;
  std::optional<std::filesystem::path> config;
  std::string format = "text";
  std::string dsn;
};

CLI::Validator moment() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return validation::archive_time(text)
                   ? std::string()
                   : fmt::format(
                         "expected a UTC time such as 2026-11-30 or 2026-11-30T08:00, "
                         "got \"{}\"",
                         text);
      },
      "TIME");
}

std::optional<validation::TimePoint> moment_of(const std::optional<std::string>& text) {
  return text ? validation::archive_time(*text) : std::nullopt;
}

// The lab's context from its configuration: its QC book, gate and order policies.
bool plan_from_config(const std::filesystem::path& file, validation::BacktestPlan& plan,
                      std::ostream& err) {
  auto config = daemon::read_daemon_config_file(file);
  auto planned = config ? daemon::backtest_plan(*config) : config.error();
  if (!planned) {
    for (const auto& e : planned.error())
      fmt::print(err, "hemalink rules backtest: {}\n", e.describe());
    return false;
  }
  planned->period = plan.period;
  planned->analyzers = plan.analyzers;
  plan = std::move(*planned);
  return true;
}

std::string requested_by() {
  const char* user = std::getenv("USER");
  return fmt::format("cli:{}", user != nullptr && *user != '\0' ? user : "unknown");
}

// The candidate's files: the files named, or a stored version's (a version string or ID).
std::optional<std::vector<rules::RuleSource>> candidate_files(const BacktestArgs& a,
                                                              std::ostream& err) {
  const auto& first = a.candidate.front();
  if (a.candidate.size() == 1 && !std::filesystem::exists(first)) {
    auto found = rules::PostgresRuleSetVersions(a.dsn).find(first);
    if (!found || !*found) {
      fmt::print(err, "hemalink rules backtest: --candidate {}: {}\n", first,
                 found ? "no such file, and no stored rule set version of that ID or version"
                       : found.error().detail);
      return std::nullopt;
    }
    return std::move((*found)->content);
  }
  auto sources = rules::read_rule_sources({a.candidate.begin(), a.candidate.end()});
  if (!sources) {
    fmt::print(err, "{}\n", files::describe(sources.error(), "\n"));
    return std::nullopt;
  }
  return std::move(*sources);
}

int backtest(const BacktestArgs& a, std::ostream& out, std::ostream& err) {
  auto sources = candidate_files(a, err);
  if (!sources) {
    return 2;
  }
  auto candidate = rules::RuleSet::load(*sources);
  if (!candidate) {
    fmt::print(err, "{}\nthe candidate was not loaded\n", files::describe(candidate.error(), "\n"));
    return 2;
  }
  validation::BacktestPlan plan;
  plan.period = {moment_of(a.from), moment_of(a.to)};
  plan.analyzers = a.analyzers;
  if (a.config && !plan_from_config(*a.config, plan, err)) {
    return 2;
  }
  validation::PostgresSpecimenArchive archive(a.dsn);
  validation::PostgresBacktestRecords records(a.dsn);
  auto history =
      std::make_shared<rules::DatabaseResultArchive>(a.dsn, std::chrono::milliseconds(60000));
  validation::BacktestRequest request;
  request.candidate = std::move(*sources);
  request.requested_by = requested_by();
  auto done = validation::run_recorded_backtest(*candidate, std::move(request), archive,
                                                std::move(history), records, std::move(plan));
  if (!done) {
    fmt::print(err, "hemalink rules backtest: {}\n", done.error().detail);
    return 2;
  }
  if (a.format == "json") {
    auto json = nlohmann::json::parse(validation::report_json(done->report));
    json["backtest_id"] = done->id;
    fmt::print(out, "{}\n", json.dump());
  } else {
    fmt::print(out, "backtest {} (kept in the database: a promotion names it)\n{}", done->id,
               validation::report_text(done->report));
  }
  return done->report.false_negative_results == 0 ? 0 : 1;
}

void declare_options(CLI::App& app, BacktestArgs& a) {
  app.add_option("--candidate", a.candidate,
                 "a rules file of the candidate set (repeat for several files, loaded as one set "
                 "in order), or a stored rule set version (its ID or version)")
      ->type_name("FILE|VERSION")
      ->required();
  app.add_option("--from", a.from, "replay specimens received at or after it (UTC)")
      ->check(moment());
  app.add_option("--to", a.to, "replay specimens received before it (UTC)")->check(moment());
  app.add_option("--analyzer", a.analyzers,
                 "count only this analyzer's specimens (repeat for several; the others are still "
                 "replayed as history)")
      ->type_name("NAME");
  app.add_option("--config", a.config,
                 "the daemon's configuration: its QC definitions and policy, its gate and order "
                 "policies (without it: the stored QC judgements alone, the default policies)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--format", a.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_database_option(app, a.dsn);
}

}  // namespace

void add_rules_backtest_command(CLI::App& rules, CommandActions& actions) {
  add_command<BacktestArgs>(
      rules, actions, "backtest",
      "replay the archive's patient specimens through a candidate rule set with the context as it "
      "was (history, demographics, orders, QC), compared with the decisions then and what people "
      "did; the report is kept in the database; exit 1 on a false negative",
      declare_options, backtest);
}

}  // namespace hemalink::cli
