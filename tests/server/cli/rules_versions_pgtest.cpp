// `hemalink rules versions`, `rules diff` and `rules promote` on a real PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_set.hpp"
#include "tests/support/command_runs.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

using testing::run_command_line;

std::string rules_text(const std::string& version, const std::string& when) {
  return fmt::format(R"({{"version": "{}", "rules": [
      {{"id": "wbc", "applies_to": ["WBC"], "when": "{}", "action": "release"}}]}})",
                     version, when);
}

// `text` stored as a version (the set's own version string) as `as`.
rules::RuleSetVersion stored(const std::string& dsn, const std::string& text, rules::StoreAs as) {
  const std::vector<rules::RuleSource> sources{{"lab.json", text}};
  const auto set = rules::RuleSet::load(sources);
  EXPECT_TRUE(set);
  const auto v = rules::PostgresRuleSetVersions(dsn).store(sources, (*set)->version(), "user:ada",
                                                           "a test", as);
  EXPECT_TRUE(v) << v.error().detail;
  return *v;
}

TEST(RulesVersionsCommand, PromoteIsRefusedWithoutABacktestAndListedOnceLive) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  const auto live = stored(h.dsn(), rules_text("v1", "value < 11"), rules::StoreAs::LiveWhenNoneIs);
  const auto draft = stored(h.dsn(), rules_text("v2", "value < 12"), rules::StoreAs::Draft);
  const auto id = std::to_string(draft.id);

  const auto refused = run_command_line("rules", {"promote", "--db", h.dsn(), id});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("goes live only with a backtest of it"), std::string::npos)
      << refused.err;
  h.execute(
      fmt::format("INSERT INTO rule_backtests (candidate_version, candidate, requested_by, status,"
                  " false_negatives) VALUES ('{}', '[]', 'cli:test', 'done', 0)",
                  draft.version));
  const auto backtest = h.query_value("SELECT max(id) FROM rule_backtests");
  const auto promoted = run_command_line(
      "rules", {"promote", "--db", h.dsn(), draft.version, "--backtest", backtest});
  ASSERT_EQ(promoted.status, 0) << promoted.err;
  EXPECT_NE(promoted.out.find(fmt::format("rule set version {} ({}) is live", id, draft.version)),
            std::string::npos)
      << promoted.out;
  EXPECT_EQ(h.query_value(fmt::format(
                "SELECT actor FROM audit_log WHERE entity = 'rule_set_version' AND entity_id = '{}'"
                " AND action = 'rule_set_live'",
                id)),
            fmt::format("cli:{}", std::getenv("USER") ? std::getenv("USER") : "unknown"));

  const auto listed = run_command_line("rules", {"versions", "--db", h.dsn()});
  ASSERT_EQ(listed.status, 0) << listed.err;
  const auto newer = listed.out.find(draft.version);
  const auto older = listed.out.find(live.version);
  ASSERT_NE(newer, std::string::npos) << listed.out;
  EXPECT_LT(newer, older) << "newest first";
  EXPECT_NE(listed.out.find("retired"), std::string::npos) << listed.out;
}

TEST(RulesVersionsCommand, DiffComparesStoredVersionsAndFiles) {
  HL_REQUIRE_POSTGRES();
  testing::StoreHarness h;
  const auto first = stored(h.dsn(), rules_text("v1", "value < 11"), rules::StoreAs::Draft);
  const auto second = stored(h.dsn(), rules_text("v2", "value < 12"), rules::StoreAs::Draft);
  const auto text = run_command_line(
      "rules", {"diff", "--db", h.dsn(), std::to_string(first.id), second.version});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("0 added, 0 removed, 1 changed"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("~ wbc: when"), std::string::npos) << text.out;

  testing::TempDir dir("rules-diff");
  std::ofstream(dir / "lab.json") << R"({"rules": [
      {"id": "plt", "applies_to": ["PLT"], "when": "value > 150", "action": "release"}]})";
  const auto json = run_command_line("rules", {"diff", "--db", h.dsn(), first.version,
                                               (dir / "lab.json").string(), "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const auto diff = nlohmann::json::parse(json.out);
  EXPECT_EQ(diff["added"][0]["id"], "plt");
  EXPECT_EQ(diff["removed"][0]["id"], "wbc");
  EXPECT_EQ(diff["to"], (dir / "lab.json").string());

  const auto unknown = run_command_line("rules", {"diff", "--db", h.dsn(), "v9", first.version});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("\"v9\" is no file and no stored rule set version"), std::string::npos)
      << unknown.err;
}

}  // namespace
}  // namespace hemalink::cli
