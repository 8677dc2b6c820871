// Backtests through the API of a daemon that played a reviewed lab day (the example
// configuration, the LIS ordering each tube, each held result reviewed as the truth file says),
// and the page's Rules -> Validation in headless Chromium (tests/web/validation_page.mjs, when
// HEMALINK_WEB_TOOLS points to the npm tools).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/api/api_tokens.hpp"
#include "server/daemon/backtest_plan.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_files.hpp"
#include "server/validation/backtest.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lab_day_play.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/web_lab.hpp"

namespace hemalink::web {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using testing::BrowserTokens;

daemon::DaemonConfig with_api(const BrowserTokens& tokens) {
  auto c = testing::example_configuration_on_loopback();
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = tokens.configured();
  return c;
}

// The example rule files as a body's files, without the blast-flag rule: its false negatives
// are the blast specimens people stopped.
json candidate_without_blast_rule() {
  auto sources = rules::read_rule_sources(testing::example_configuration_on_loopback().rules.files);
  EXPECT_TRUE(sources);
  json files = json::array();
  for (const auto& s : *sources) {
    auto text = s.text;
    if (s.name.ends_with("cbc.json")) {
      auto cbc = json::parse(text);
      auto& listed = cbc["rules"];
      listed.erase(
          std::remove_if(listed.begin(), listed.end(),
                         [](const json& r) { return r["id"] == "blast-flag-abnormal-counts"; }),
          listed.end());
      text = cbc.dump(2);
    }
    files.push_back({{"name", std::filesystem::path(s.name).filename().string()}, {"text", text}});
  }
  return files;
}

struct ValidationLab {
  ValidationLab() : lab(with_api(tokens)) {
    simulate::LabDayPlan plan;
    plan.specimens = 400;  // as LabDayBacktest's: its blast specimens people stopped
    plan.seed = 32;
    day = simulate::generate_lab_day(plan);
    testing::play_lab_day(lab, day);
    testing::review_as_the_truth_says(lab, day);
  }

  testing::HttpReply call(const std::string& method, const std::string& target,
                          const std::string& token, const json& body = nullptr) {
    return testing::http_request(lab.daemon().http_port(), method, target, token,
                                 body.is_null() ? "" : body.dump());
  }

  // The candidate stored as a draft by tom; its ID.
  long long store_candidate() {
    const auto r = call("POST", "/api/v1/rules/versions", tokens.technologist.token,
                        {{"files", candidate_without_blast_rule()}, {"reason", "no blast rule"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json()["id"].get<long long>() : 0;
  }

  testing::HttpReply start_backtest(long long candidate) {
    return call("POST", "/api/v1/rules/backtests", tokens.technologist.token,
                {{"candidate", candidate}});
  }

  // The backtest `id` once it is no longer running (null after a minute).
  json finished(long long id) {
    json shown;
    testing::wait_until(
        [&] {
          const auto r =
              call("GET", fmt::format("/api/v1/rules/backtests/{}", id), tokens.viewer.token);
          shown = r.status == 200 ? r.json() : json();
          return shown.is_object() && shown["status"] != "running";
        },
        60s);
    return shown;
  }

  BrowserTokens tokens;
  testing::DaemonHarness lab;
  simulate::LabDay day;
};

// The same candidate run by the engine in this process, its report as JSON.
json engine_report(const ValidationLab& v) {
  std::vector<rules::RuleSource> files;
  for (const auto& f : candidate_without_blast_rule())
    files.push_back({f["name"], f["text"]});
  auto set = rules::RuleSet::load(files);
  EXPECT_TRUE(set);
  auto plan = daemon::backtest_plan(v.lab.config());
  EXPECT_TRUE(plan);
  validation::PostgresSpecimenArchive archive(v.lab.dsn());
  auto report = validation::run_backtest(
      *set, archive, std::make_shared<rules::DatabaseResultArchive>(v.lab.dsn()), *plan);
  EXPECT_TRUE(report) << (report ? "" : report.error().detail);
  return report ? json::parse(validation::report_json(*report)) : json();
}

TEST(BacktestApi, APostedBacktestRunsInTheBackgroundAndItsReportIsTheEngines) {
  HL_REQUIRE_POSTGRES();
  ValidationLab v;
  const auto id = v.store_candidate();
  const auto started = v.start_backtest(id);
  ASSERT_EQ(started.status, 202) << started.body;
  const auto backtest = started.json()["id"].get<long long>();
  const auto shown = v.finished(backtest);
  ASSERT_EQ(shown["status"], "done") << shown.dump(2);
  EXPECT_EQ(shown["requested_by"], "user:tom");
  EXPECT_EQ(shown["specimens_done"], shown["specimens_total"]);
  auto report = shown["report"];
  auto expected = engine_report(v);
  ASSERT_TRUE(expected.is_object());
  for (const auto* field : {"specimens", "results", "released", "av_rate", "by_test", "by_rule",
                            "false_negatives", "needless_holds", "agreement", "tat"})
    EXPECT_EQ(report[field], expected[field]) << field;
  EXPECT_GT(report["false_negatives"]["results"].get<long long>(), 0)
      << "without the blast rule, people stopped results it would release";
  const auto listed = v.call("GET", "/api/v1/rules/backtests", v.tokens.viewer.token);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json()["backtests"][0]["id"], backtest);

  const auto promoted =
      v.call("POST", fmt::format("/api/v1/rules/versions/{}/status", id), v.tokens.admin.token,
             {{"status", "live"}, {"backtest_id", backtest}});
  EXPECT_EQ(promoted.status, 422) << "its false negatives need a comment: " << promoted.body;
}

TEST(BacktestApi, ABacktestRunningAtShutdownIsStoppedAndNotLeftRunning) {
  HL_REQUIRE_POSTGRES();
  ValidationLab v;
  const auto id = v.store_candidate();
  const auto started = v.start_backtest(id);
  ASSERT_EQ(started.status, 202) << started.body;
  const auto second = v.start_backtest(id);
  if (second.status == 409)  // unless the first was done already
    EXPECT_NE(second.body.find(
                  fmt::format("backtest {} is running", started.json()["id"].get<long long>())),
              std::string::npos)
        << second.body;
  else
    EXPECT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(v.lab.stop(), 0);
  EXPECT_EQ(v.lab.count("SELECT count(*) FROM rule_backtests WHERE status = 'running'"), 0)
      << "each backtest is done, or failed saying it was stopped";
  EXPECT_EQ(v.lab.count("SELECT count(*) FROM rule_backtests WHERE status = 'failed' AND error NOT "
                        "LIKE '%daemon was stopping%'"),
            0);
}

// The candidate as one rules file (the example's files' rules together, the blast rule out).
std::string one_candidate_file() {
  json all = json::array();
  for (const auto& f : candidate_without_blast_rule()) {
    const auto file = json::parse(f["text"].get<std::string>());
    for (const auto& r : file["rules"])
      all.push_back(r);
  }
  return json{{"version", "no-blast-candidate"}, {"rules", all}}.dump(2);
}

TEST(ValidationPage, ACandidateIsCheckedBacktestedOpenedAtAFalseNegativeAndPromoted) {
  HL_REQUIRE_POSTGRES();
  if (!std::getenv("HEMALINK_WEB_TOOLS"))
    GTEST_SKIP() << "HEMALINK_WEB_TOOLS is not set: scripts/dev.sh test installs playwright-core "
                    "and sets it";
  ValidationLab v;
  testing::TempDir dir{"validation-page"};
  const auto file = dir / "candidate.json";
  std::ofstream(file) << one_candidate_file();
  // A second candidate, stored as a draft, for the admin to run in shadow.
  auto shadow_text = json::parse(one_candidate_file());
  shadow_text["version"] = "shadow-candidate";
  const std::vector<rules::RuleSource> shadow_files{{"shadow.json", shadow_text.dump(2)}};
  const auto shadow_set = rules::RuleSet::load(shadow_files);
  ASSERT_TRUE(shadow_set);
  const auto draft = rules::PostgresRuleSetVersions(v.lab.dsn())
                         .store(shadow_files, (*shadow_set)->version(), "user:ada",
                                "to watch beside the live set", rules::StoreAs::Draft);
  ASSERT_TRUE(draft) << draft.error().detail;
  auto environment = v.tokens.environment();
  environment.insert(
      environment.end(),
      {fmt::format("HEMALINK_URL=http://127.0.0.1:{}", v.lab.daemon().http_port()),
       "HEMALINK_CANDIDATE=" + file.string(), fmt::format("HEMALINK_SHADOW_DRAFT={}", draft->id),
       "HEMALINK_SHADOW_VERSION=" + draft->version});
  const auto code = testing::run_browser_script("validation_page.mjs", "", dir / "browser.log",
                                                std::move(environment));
  ASSERT_EQ(code, 0) << "see the browser's log above";
  EXPECT_EQ(v.lab.query_value("SELECT status FROM rule_set_versions WHERE version LIKE "
                              "'no-blast-candidate#%'"),
            "live")
      << "promoted by the admin";
  EXPECT_EQ(v.lab.count("SELECT count(*) FROM audit_log WHERE actor = 'user:ada' AND "
                        "after::text LIKE '%haematologist%'"),
            1)
      << "the promotion is audited with its comment";
  EXPECT_EQ(v.lab.query_value(
                fmt::format("SELECT status FROM rule_set_versions WHERE id = {}", draft->id)),
            "shadow")
      << "put in shadow by the admin";
}

}  // namespace
}  // namespace hemalink::web
