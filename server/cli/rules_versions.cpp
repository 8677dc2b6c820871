#include "server/cli/rules_versions.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "server/cli/shared_options.hpp"
#include "server/rules/errc.hpp"
#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_files.hpp"
#include "server/rules/rule_set_diff.hpp"

namespace hemalink::cli {
namespace {

struct VersionsArgs {
  std::string dsn;
};

struct DiffArgs {
  std::string dsn;
  std::string from;
  std::string to;
  std::string format = "text";
};

struct PromoteArgs {
  std::string dsn;
  std::string version;
  std::optional<long long> backtest;
  std::string comment;
  std::string to = "live";
};

std::string actor() {
  const char* user = std::getenv("USER");
  return fmt::format("cli:{}", user != nullptr && *user != '\0' ? user : "unknown");
}

int versions(const VersionsArgs& a, std::ostream& out, std::ostream& err) {
  const auto listed = rules::PostgresRuleSetVersions(a.dsn).list();
  if (!listed) {
    fmt::print(err, "hemalink rules versions: {}\n", listed.error().detail);
    return 1;
  }
  fmt::print(out, "{:>6}  {:<8} {:<40} {:<20} {:<25} {:>8}  {}\n", "id", "status", "version",
             "author", "created", "backtest", "reason");
  for (const auto& v : *listed) {
    fmt::print(out, "{:>6}  {:<8} {:<40} {:<20} {:<25} {:>8}  {}\n", v.id, to_string(v.status),
               v.version, v.author, v.created_at,
               v.backtest_id ? std::to_string(*v.backtest_id) : "-", v.reason);
  }
  return 0;
}

// A side of a diff: its name as shown and its rules.
struct DiffSide {
  std::string name;
  std::shared_ptr<const rules::RuleSet> set;
};

// `what` is a rules file when one of that name exists, else a stored version's id or version
// string; nullopt (told on `err`) when it is neither or does not load.
std::optional<DiffSide> side_of(const std::string& what, const std::string& dsn,
                                std::ostream& err) {
  std::vector<rules::RuleSource> sources;
  std::string name = what;
  std::error_code ignored;
  if (std::filesystem::is_regular_file(what, ignored)) {
    auto read = rules::read_rule_sources({what});
    if (!read) {
      fmt::print(err, "{}\n", files::describe(read.error(), "\n"));
      return std::nullopt;
    }
    sources = std::move(*read);
  } else if (dsn.empty()) {
    fmt::print(err,
               "hemalink rules diff: \"{}\" is no file; a stored version needs the database "
               "(--db or HEMALINK_DATABASE_URL)\n",
               what);
    return std::nullopt;
  } else {
    auto found = rules::PostgresRuleSetVersions(dsn).find(what);
    if (!found || !*found) {
      fmt::print(err, "hemalink rules diff: {}\n",
                 !found ? found.error().detail
                        : fmt::format("\"{}\" is no file and no stored rule set version", what));
      return std::nullopt;
    }
    name = fmt::format("{} ({})", (*found)->version, (*found)->id);
    sources = std::move((*found)->content);
  }
  auto loaded = rules::RuleSet::load(sources);
  if (!loaded) {
    fmt::print(err, "{}\n", files::describe(loaded.error(), "\n"));
    return std::nullopt;
  }
  return DiffSide{std::move(name), std::move(*loaded)};
}

int diff(const DiffArgs& a, std::ostream& out, std::ostream& err) {
  const auto from = side_of(a.from, a.dsn, err);
  const auto to = from ? side_of(a.to, a.dsn, err) : std::nullopt;
  if (!to) {
    return 2;
  }
  const auto d = rules::diff_rule_sets(*from->set, *to->set);
  if (a.format == "json") {
    fmt::print(out, "{}\n", rules::diff_json(d, from->name, to->name));
  } else {
    fmt::print(out, "{}", rules::diff_text(d, from->name, to->name));
  }
  return 0;
}

int promote(const PromoteArgs& a, std::ostream& out, std::ostream& err) {
  const rules::PostgresRuleSetVersions store(a.dsn);
  const auto found = store.find(a.version);
  if (!found || !*found) {
    fmt::print(err, "hemalink rules promote: {}\n",
               !found ? found.error().detail
                      : fmt::format("no stored rule set version \"{}\"", a.version));
    return 2;
  }
  const auto to = rules::version_status_of(a.to).value_or(rules::VersionStatus::Live);
  const auto moved = store.change_status({(*found)->id, to, a.backtest, a.comment, actor()});
  if (!moved) {
    fmt::print(err, "hemalink rules promote: {}\n", moved.error().detail);
    const bool is_refused = moved.error().code.category() ==
                            rules::make_error_code(rules::VersionErrc::NoSuchVersion).category();
    return is_refused ? 2 : 1;
  }
  fmt::print(out, "rule set version {} ({}) is {}{}\n", moved->id, moved->version,
             to_string(moved->status),
             moved->status == rules::VersionStatus::Live
                 ? " (running daemons put it in force at their next reload: SIGHUP or POST "
                   "/api/v1/rules/reload)"
                 : "");
  return 0;
}

}  // namespace

void add_rules_versions_commands(CLI::App& rules, CommandActions& actions) {
  add_command<VersionsArgs>(
      rules, actions, "versions", "the stored rule set versions, newest first, with their status",
      [](CLI::App& app, VersionsArgs& a) { add_database_option(app, a.dsn); }, versions);
  add_command<DiffArgs>(
      rules, actions, "diff",
      "rules added, removed and changed from A to B (each a rules file, or a stored version's id "
      "or version string)",
      [](CLI::App& app, DiffArgs& a) {
        app.add_option("A", a.from, "the rules compared from")->required();
        app.add_option("B", a.to, "the rules compared to")->required();
        app.add_option("--db", a.dsn, "the database of stored versions (not needed for two files)")
            ->envname("HEMALINK_DATABASE_URL")
            ->type_name("DSN");
        app.add_option("--format", a.format, "text or json")
            ->check(CLI::IsMember({"text", "json"}))
            ->capture_default_str();
      },
      diff);
  add_command<PromoteArgs>(
      rules, actions, "promote",
      "move a stored version to live (with a backtest of it), shadow, draft or retired (audited as "
      "cli:$USER)",
      [](CLI::App& app, PromoteArgs& a) {
        add_database_option(app, a.dsn);
        app.add_option("VERSION", a.version, "the version's id or version string")->required();
        app.add_option("--backtest", a.backtest,
                       "the backtest of this version it goes live with (rule_backtests.id)")
            ->type_name("ID");
        app.add_option("--comment", a.comment,
                       "why (required to go live when the backtest found false negatives)")
            ->type_name("TEXT");
        app.add_option("--to", a.to, "the status it moves to")
            ->check(CLI::IsMember({"live", "shadow", "draft", "retired"}))
            ->capture_default_str();
      },
      promote);
}

}  // namespace hemalink::cli
