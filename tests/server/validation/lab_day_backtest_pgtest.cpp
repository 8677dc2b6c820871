// The backtest on a laboratory day played through the daemon (the example configuration, the LIS
// ordering each tube, the XN's second control run failing), then reviewed as its truth file says
// a technologist would: each held result of a tube that needs a person rerun or rejected, every
// other held result released. Each expectation is counted from the stored decisions, not from the
// backtest.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "server/daemon/backtest_plan.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_files.hpp"
#include "server/validation/backtest.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "tests/support/command_runs.hpp"
#include "tests/support/lab_day_play.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::validation {
namespace {

using simulate::Bench;

struct ReviewedDay {
  ReviewedDay() : lab(testing::example_configuration_on_loopback()) {
    simulate::LabDayPlan plan;
    plan.specimens = 400;
    plan.seed = 32;
    plan.qc_fail_run = 2;
    day = simulate::generate_lab_day(plan);
    testing::play_lab_day(lab, day);
    reviewed = testing::review_as_the_truth_says(lab, day);
  }

  // The hematology tests under QC held between the failed run and the next one.
  std::string outside_the_failed_run() const {
    std::vector<std::size_t> runs;
    for (const auto& r : day.qc_runs) {
      if (r.bench == Bench::Hematology) {
        runs.push_back(r.before_specimen);
      }
    }
    std::string ids;
    for (std::size_t i = runs.at(1); i < runs.at(2); ++i) {
      ids += (ids.empty() ? "'" : ", '") + day.specimens[i].id + "'";
    }
    return fmt::format(
        "NOT (r.specimen_id IN ({}) AND r.code IN (SELECT test FROM qc_evaluations))", ids);
  }

  testing::DaemonHarness lab;
  simulate::LabDay day;
  long long reviewed = 0;
};

ReviewedDay& reviewed_day() {
  static auto day = std::make_unique<ReviewedDay>();
  return *day;
}

// The example configuration's rule files, `cbc.json` changed by `change` when given.
std::vector<rules::RuleSource> candidate(const std::function<void(nlohmann::json&)>& change = {}) {
  auto sources = rules::read_rule_sources(testing::example_configuration_on_loopback().rules.files);
  EXPECT_TRUE(sources);
  for (auto& s : *sources) {
    if (change && s.name.ends_with("cbc.json")) {
      auto json = nlohmann::json::parse(s.text);
      change(json);
      s.text = json.dump(2);
      s.name = "candidate-cbc.json";
    }
  }
  return *sources;
}

BacktestReport backtest(const ReviewedDay& lab, const std::vector<rules::RuleSource>& files) {
  auto set = rules::RuleSet::load(files);
  EXPECT_TRUE(set) << (set ? "" : files::describe(set.error(), "\n"));
  auto plan = daemon::backtest_plan(testing::example_configuration_on_loopback());
  EXPECT_TRUE(plan);
  PostgresSpecimenArchive archive(lab.lab.dsn(), 50);
  auto report = run_backtest(*set, archive,
                             std::make_shared<rules::DatabaseResultArchive>(lab.lab.dsn()), *plan);
  EXPECT_TRUE(report) << (report ? "" : report.error().detail);
  return report ? *report : BacktestReport{};
}

// Result IDs of the stored first decisions whose holding firings were exactly `rule` (the
// release rule among the rest), that a person then did not release unchanged (or did: `person`).
std::set<long long> held_by_only(const ReviewedDay& lab, const std::string& rule,
                                 const std::string& person, const std::string& also = "true") {
  const auto rows = lab.lab.query_rows(
      fmt::format("SELECT r.id FROM results r"
                  " JOIN LATERAL (SELECT d.rules_fired FROM decisions d WHERE d.result_id = r.id"
                  "   ORDER BY d.id LIMIT 1) first ON true"
                  " JOIN decisions now ON now.result_id = r.id AND now.is_current"
                  " WHERE (SELECT array_agg(DISTINCT f ->> 'rule_id') FROM "
                  "jsonb_array_elements(first.rules_fired) f"
                  "        WHERE f ->> 'action' IN ('hold', 'rerun')) = ARRAY['{}']"
                  " AND first.rules_fired @> '[{{\"rule_id\": \"cbc-release\"}}]'"
                  " AND now.decided_by LIKE 'user:%' AND now.decision {} AND {} AND {}",
                  rule, person, lab.outside_the_failed_run(), also));
  std::set<long long> ids;
  for (const auto& row : rows) {
    ids.insert(std::stoll(row[0]));
  }
  return ids;
}

TEST(LabDayBacktest, TheLiveSetAgreesWithItselfAndReleasesNothingAPersonStopped) {
  HL_REQUIRE_POSTGRES();
  const auto& lab = reviewed_day();
  ASSERT_GT(lab.reviewed, 0);
  const auto report = backtest(lab, candidate());
  EXPECT_EQ(report.specimens,
            lab.lab.count("SELECT count(*) FROM specimens WHERE kind = 'patient'"));
  EXPECT_EQ(report.results, lab.lab.count("SELECT count(*) FROM results WHERE NOT is_qc"));
  EXPECT_EQ(report.with_live.only_candidate_releases, 0);
  EXPECT_EQ(report.with_live.only_candidate_holds, 0);
  ASSERT_TRUE(report.with_live.share());
  EXPECT_DOUBLE_EQ(*report.with_live.share(), 1.0);
  for (const auto& d : report.disagreements) {
    std::string fired;
    for (const auto& f : d.candidate_fired) {
      fired += f + " ";
    }
    std::string live;
    for (const auto& f : d.live_fired) {
      live += f + " ";
    }
    ADD_FAILURE() << d.place.specimen_id << " " << d.place.code << " = " << d.place.value
                  << ": the candidate " << model::to_string(d.candidate) << " (" << fired
                  << "), the live set " << model::to_string(d.live) << " (" << live << ")";
  }
  EXPECT_EQ(report.false_negative_results, 0);
  // The failed control run held in the replay exactly what it held then.
  const auto gate_held = lab.lab.count(
      "SELECT count(*) FROM decisions d WHERE d.rules_fired @> '[{\"rule_id\": \"qc-gate\"}]'"
      " AND d.id = (SELECT min(id) FROM decisions e WHERE e.result_id = d.result_id)");
  EXPECT_GT(gate_held, 0);
  EXPECT_EQ(report.held_otherwise.at("qc-gate"), gate_held);
  EXPECT_EQ(report.with_people.total(),
            lab.lab.count("SELECT count(*) FROM decisions WHERE decided_by LIKE 'user:%'"));
}

TEST(LabDayBacktest, WithoutTheBlastRuleTheBlastSpecimensAreTheFalseNegatives) {
  HL_REQUIRE_POSTGRES();
  const auto& lab = reviewed_day();
  const auto report = backtest(lab, candidate([](nlohmann::json& cbc) {
                                 auto& list = cbc["rules"];
                                 for (auto it = list.begin(); it != list.end(); ++it) {
                                   if ((*it)["id"] == "blast-flag-abnormal-counts") {
                                     list.erase(it);
                                     break;
                                   }
                                 }
                               }));
  const auto expected = held_by_only(lab, "blast-flag-abnormal-counts", "IN ('rerun', 'reject')");
  ASSERT_FALSE(expected.empty()) << "the day has blast specimens held by that rule alone";
  std::set<long long> found;
  std::set<std::string> specimens;
  for (const auto& f : report.false_negatives) {
    found.insert(f.place.result_id);
    specimens.insert(f.place.specimen_id);
  }
  EXPECT_EQ(found, expected);
  EXPECT_EQ(report.false_negative_results, static_cast<long long>(expected.size()));
  for (const auto& id : specimens) {
    const auto& s = *std::find_if(lab.day.specimens.begin(), lab.day.specimens.end(),
                                  [&](const simulate::LabSpecimen& t) { return t.id == id; });
    EXPECT_TRUE(s.truth.must_review) << id;
    EXPECT_TRUE(std::any_of(s.messages.begin(), s.messages.end(),
                            [](const simulate::AnalyzerMessage& m) {
                              return m.is_positive && m.name.find("Blasts") != std::string::npos;
                            }))
        << id << " (" << s.truth.condition << ") has no positive blast message";
  }
}

TEST(LabDayBacktest, AWiderPlateletRangeMovesExactlyThePlateletCountsInTheWidenedBand) {
  HL_REQUIRE_POSTGRES();
  const auto& lab = reviewed_day();
  const auto report = backtest(lab, candidate([](nlohmann::json& cbc) {
                                 for (auto& rule : cbc["rules"]) {
                                   if (rule["id"] == "plt-new-low") {
                                     rule["when"] =
                                         "not is_qc and value < 80 and not has_previous(7d)";
                                   }
                                 }
                               }));
  const auto expected = held_by_only(lab, "plt-new-low", "IS NOT NULL", "r.numeric_value >= 80");
  ASSERT_FALSE(expected.empty()) << "the day has new platelet counts from 80 to 100";
  std::set<long long> moved;
  for (const auto& d : report.disagreements) {
    EXPECT_EQ(d.candidate, model::Verdict::Release) << d.place.specimen_id;
    EXPECT_EQ(d.place.code, "PLT");
    moved.insert(d.place.result_id);
  }
  EXPECT_EQ(moved, expected);
  EXPECT_EQ(report.with_live.only_candidate_releases, static_cast<long long>(expected.size()));
  EXPECT_EQ(report.with_live.only_candidate_holds, 0);
}

// The command line a lab validates with: a candidate uploaded (a draft), backtested by its version
// through `hemalink rules backtest`, which keeps its report; `rules promote` then names that
// report, and the daemon puts the candidate in force at its next reload.
TEST(LabDayBacktest, TheCommandsReportIsTheEvidenceAPromotionNames) {
  HL_REQUIRE_POSTGRES();
  const auto& lab = reviewed_day();
  const auto files = candidate([](nlohmann::json& cbc) {
    for (auto& rule : cbc["rules"]) {
      if (rule["id"] == "plt-new-low") {
        rule["when"] = "not is_qc and value < 80 and not has_previous(7d)";
      }
    }
  });
  const auto set = rules::RuleSet::load(files);
  ASSERT_TRUE(set);
  const auto draft =
      rules::PostgresRuleSetVersions(lab.lab.dsn())
          .store(files, (*set)->version(), "user:ana", "PLT 80", rules::StoreAs::Draft);
  ASSERT_TRUE(draft) << draft.error().detail;
  const auto config = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config/hemalink.example.json";
  const auto run = testing::run_command_line(
      "rules", {"backtest", "--candidate", std::to_string(draft->id), "--config", config.string(),
                "--db", lab.lab.dsn(), "--format", "json"});
  // The narrower limit releases the new counts from 80 to 100, three of which people stopped.
  const auto expected =
      held_by_only(lab, "plt-new-low", "IN ('rerun', 'reject')", "r.numeric_value >= 80");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(run.status, 1) << run.err;
  const auto report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["candidate_version"], (*set)->version());
  EXPECT_EQ(report["false_negatives"]["results"], expected.size());
  EXPECT_EQ(report["specimens"],
            lab.lab.count("SELECT count(*) FROM specimens WHERE kind = 'patient'"));
  const auto id = std::to_string(report["backtest_id"].get<long long>());
  EXPECT_EQ(lab.lab.query_value("SELECT status || ' ' || false_negatives || ' ' ||"
                                " (requested_by LIKE 'cli:%') FROM rule_backtests WHERE id = " +
                                id),
            fmt::format("done {} true", expected.size()));

  const auto version = std::to_string(draft->id);
  const auto refused = testing::run_command_line(
      "rules", {"promote", "--db", lab.lab.dsn(), version, "--backtest", id});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("false negative"), std::string::npos) << refused.err;
  const auto promoted = testing::run_command_line(
      "rules", {"promote", "--db", lab.lab.dsn(), version, "--backtest", id, "--comment",
                "the three were rerun for clumps, which plt-clumps now catches"});
  EXPECT_EQ(promoted.status, 0) << promoted.err;
  EXPECT_EQ(lab.lab.query_value("SELECT status || ' ' || backtest_id FROM rule_set_versions"
                                " WHERE id = " +
                                version),
            "live " + id);
}

}  // namespace
}  // namespace hemalink::validation
