// `hemalink report av` on a hand-made lab day stored through the store: every figure checked
// against a count made by hand (in the comments), then the command itself once.
#include "server/report/autoverification_report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "server/cli/hemalink_command.hpp"
#include "server/review/review_queue.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::report {
namespace {

using model::RuleAction;
using model::Verdict;

model::Decision released() {
  model::Decision d;
  d.verdict = Verdict::Release;
  d.decided_by = "rules:lab-1";
  d.rule_set_version = "lab-1";
  d.fired = {{"in-limits", RuleAction::Release, "within the lab's limits", ""}};
  d.reason = "released by in-limits";
  return d;
}

model::Decision held_by(std::string rule, std::string reason,
                        RuleAction action = RuleAction::Hold) {
  auto d = released();
  d.verdict = action == RuleAction::Rerun ? Verdict::Rerun : Verdict::Hold;
  d.fired.push_back({std::move(rule), action, reason, ""});
  d.reason = std::move(reason);
  return d;
}

model::Decision held_by_no_rule() {
  auto d = released();
  d.verdict = Verdict::Hold;
  d.fired.clear();
  d.reason = "no rule released this result: held for review";
  return d;
}

// The QC gate holds what the rules released, and keeps their firings (MessageReader::hold_for_qc).
model::Decision held_by_qc_gate() {
  auto d = released();
  d.verdict = Verdict::Hold;
  d.decided_by = "system:qc-gate";
  d.reason = "no QC run of APTT on cs-1 has been judged yet: held until an accepted run";
  d.fired.push_back({"qc-gate", RuleAction::Hold, d.reason, ""});
  return d;
}

// A message of `analyzer` with specimen "S<tag>": one result per code, each with its decision.
store::StoreRequest tube(const std::string& analyzer, const std::string& tag,
                         std::vector<std::pair<std::string, model::Decision>> results,
                         model::SpecimenKind kind = model::SpecimenKind::Patient) {
  auto r = testing::synthetic(analyzer, tag, results.size(), kind);
  r.receipt.raw += "|" + results.front().first + std::to_string(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    r.content->result_sets[0].observations[i].code = results[i].first;
    r.content->decisions[0][i] = std::move(results[i].second);
  }
  return r;
}

std::string truth_line(const std::string& id, const std::string& profile,
                       const std::string& condition, bool must_review, const std::string& why) {
  return nlohmann::json{{"specimen_id", id},
                        {"profile", profile},
                        {"condition", condition},
                        {"must_review", must_review},
                        {"why", why}}
             .dump() +
         "\n";
}

class ReportAv : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::TestDatabase::is_available()) {
      GTEST_SKIP() << "HEMALINK_TEST_PG not set: run through scripts/dev.sh test";
    }
    harness_ = std::make_unique<testing::StoreHarness>();
  }

  // The day by hand (R release, H hold, r rerun; nr: the truth says no review is needed):
  //   S1 hospital healthy nr        xn-1 WBC R, HGB R, PLT R           autoverified
  //   S2 hospital leukaemia REVIEW  xn-1 WBC R, HGB R, PLT R           autoverified: false negative
  //   S3 outpatient healthy nr      xn-1 WBC R, HGB H hgb-delta, PLT H (no rule), both released
  //                                 by a technologist afterwards       held, needless
  //   S4 oncology pancytopenia REVIEW xn-1 WBC r wbc-low-rerun, HGB R; its rerun: WBC R   held
  //   S5 outpatient healthy nr      cs-1 PT_SEC R, APTT H qc-gate      held, needless
  //   S6 hospital healthy nr        never measured                     missing
  //   S7 (not in the truth)         xn-1 HGB H hgb-delta               left out
  //   S8 hospital healthy nr        xn-1 WBC R, HGB H hgb-delta, PLT H plt-clumps  held, needless
  //   S9 hospital iron-deficiency REVIEW xn-1 WBC R, HGB H hgb-delta, PLT R       held
  //   QC1 (a control)               xn-1 WBC R                         not a patient specimen
  void store_day() {
    harness_->store_all({
        tube("xn-1", "1", {{"WBC", released()}, {"HGB", released()}, {"PLT", released()}}),
        tube("xn-1", "2", {{"WBC", released()}, {"HGB", released()}, {"PLT", released()}}),
        tube("xn-1", "3",
             {{"WBC", released()},
              {"HGB", held_by("hgb-delta", "HGB changed more than 2 g/dL since the last count")},
              {"PLT", held_by_no_rule()}}),
        tube("xn-1", "4",
             {{"WBC", held_by("wbc-low-rerun", "rerun to confirm a low WBC", RuleAction::Rerun)},
              {"HGB", released()}}),
        tube("xn-1", "4", {{"WBC", released()}}),
        tube("cs-1", "5", {{"PT_SEC", released()}, {"APTT", held_by_qc_gate()}}),
        tube("xn-1", "7",
             {{"HGB", held_by("hgb-delta", "HGB changed more than 2 g/dL since the last count")}}),
        tube("xn-1", "8",
             {{"WBC", released()},
              {"HGB", held_by("hgb-delta", "HGB changed more than 2 g/dL since the last count")},
              {"PLT", held_by("plt-clumps", "platelet clumps suspected: look at the smear")}}),
        tube("xn-1", "9",
             {{"WBC", released()},
              {"HGB", held_by("hgb-delta", "HGB changed more than 2 g/dL since the last count")},
              {"PLT", released()}}),
        tube("xn-1", "QC1", {{"WBC", released()}}, model::SpecimenKind::QualityControl),
    });
    // A technologist releases S3's held results: later decisions are not autoverification.
    for (const auto& id : harness_->query_rows(
             "SELECT r.id FROM results r JOIN decisions d ON d.result_id = r.id AND d.is_current"
             " WHERE r.specimen_id = 'S3' AND d.decision = 'hold'")) {
      auto done = review::apply_review_action(
          harness_->dsn(), {{"lis", {}}},
          {std::stoll(id[0]), review::ReviewVerdict::Release, "user:ana", "smear looked fine", {}});
      ASSERT_TRUE(done && done->outcome == review::ReviewOutcome::Applied);
    }
    truth_text_ = truth_line("S1", "hospital", "healthy", false, "") +
                  truth_line("S2", "hospital", "acute-leukaemia", true, "blasts present") +
                  truth_line("S3", "outpatient", "healthy", false, "") +
                  truth_line("S4", "oncology", "pancytopenia", true, "new pancytopenia") +
                  truth_line("S5", "outpatient", "healthy", false, "") +
                  truth_line("S6", "hospital", "healthy", false, "") +
                  truth_line("S8", "hospital", "healthy", false, "") +
                  truth_line("S9", "hospital", "iron-deficiency", true, "microcytic anaemia");
  }

  AutoverificationReport report(std::size_t top = 10,
                                const std::optional<std::string>& since = std::nullopt) {
    auto truth = parse_truth(truth_text_, "day.jsonl");
    EXPECT_TRUE(truth);
    std::vector<std::string> ids;
    for (const auto& t : *truth) {
      ids.push_back(t.specimen_id);
    }
    auto records = report::read_autoverification(harness_->dsn(), since, ids);
    EXPECT_TRUE(records) << records.error().detail;
    return measure_autoverification(*records, *truth, top);
  }

  std::unique_ptr<testing::StoreHarness> harness_;
  std::string truth_text_;
};

// name, autoverified, total: in the report's order (by name).
using YieldRows = std::vector<std::tuple<std::string, long long, long long>>;

YieldRows rows_of(const std::vector<NamedYield>& yields) {
  YieldRows rows;
  for (const auto& y : yields) {
    rows.emplace_back(y.name, y.yield.autoverified, y.yield.total);
  }
  return rows;
}

TEST_F(ReportAv, EveryFigureMatchesTheHandCount) {
  store_day();
  const auto r = report();
  EXPECT_EQ(r.truth_specimens, 8);
  // S1 S2 S3 S4 S5 S8 S9 seen; S1 and S2 autoverified.
  EXPECT_EQ(r.specimens.total, 7);
  EXPECT_EQ(r.specimens.autoverified, 2);
  // 3+3+3+3+2+3+3 results; released 3+3+1+2+1+1+2 (S4's first WBC was rerun, its rerun released).
  EXPECT_EQ(r.results.total, 20);
  EXPECT_EQ(r.results.autoverified, 13);
  EXPECT_EQ(rows_of(r.by_profile),
            (YieldRows{{"hospital", 2, 4}, {"oncology", 0, 1}, {"outpatient", 0, 2}}));
  // S7's held HGB and QC1's WBC count nowhere.
  EXPECT_EQ(
      rows_of(r.by_test),
      (YieldRows{{"APTT", 0, 1}, {"HGB", 3, 6}, {"PLT", 3, 5}, {"PT_SEC", 1, 1}, {"WBC", 6, 7}}));
  EXPECT_EQ(rows_of(r.by_analyzer), (YieldRows{{"cs-1", 1, 2}, {"xn-1", 12, 18}}));
  EXPECT_EQ(r.held, 5);
  // hgb-delta held S3, S8 and S9 (S7 is not in the truth); the others one each, ties by name
  // with the reason without a rule first.
  ASSERT_EQ(r.held_reasons.size(), 5u);
  EXPECT_EQ(r.held_reasons[0].rule_id, "hgb-delta");
  EXPECT_EQ(r.held_reasons[0].reason, "HGB changed more than 2 g/dL since the last count");
  EXPECT_EQ(r.held_reasons[0].specimens, 3);
  EXPECT_EQ(r.held_reasons[1].rule_id, "");
  EXPECT_EQ(r.held_reasons[1].reason, "no rule released this result: held for review");
  EXPECT_EQ(r.held_reasons[2].rule_id, "plt-clumps");
  EXPECT_EQ(r.held_reasons[3].rule_id, "qc-gate");
  EXPECT_EQ(r.held_reasons[4].rule_id, "wbc-low-rerun");
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_EQ(r.held_reasons[i].specimens, 1) << r.held_reasons[i].rule_id;
  }
  EXPECT_EQ(r.must_review.total, 3);
  EXPECT_EQ(r.must_review.autoverified, 1);
  ASSERT_EQ(r.false_negatives.size(), 1u);
  EXPECT_EQ(r.false_negatives[0].specimen_id, "S2");
  EXPECT_EQ(r.false_negatives[0].condition, "acute-leukaemia");
  EXPECT_EQ(r.false_negatives[0].why, "blasts present");
  // Needless: S3 (hgb-delta, no rule), S5 (qc-gate), S8 (hgb-delta, plt-clumps).
  EXPECT_EQ(r.needless_holds, 3);
  ASSERT_EQ(r.needless_by_rule.size(), 4u);
  EXPECT_EQ(r.needless_by_rule[0].rule_id, "hgb-delta");
  EXPECT_EQ(r.needless_by_rule[0].specimens, 2);
  EXPECT_EQ(r.needless_by_rule[3].rule_id, "qc-gate");
  EXPECT_EQ(r.needless_by_rule[3].specimens, 1);
  EXPECT_EQ(r.missing, 1);
  EXPECT_EQ(r.missing_listed, std::vector<std::string>{"S6"});
  EXPECT_EQ(r.not_in_truth, 1);
}

TEST_F(ReportAv, TheCommandPrintsFalseNegativesFirstAndWritesTheSameAsJson) {
  store_day();
  testing::TempDir dir("report-av");
  std::ofstream(dir / "day.jsonl") << truth_text_;
  std::ostringstream out;
  std::ostringstream err;
  const auto status =
      cli::run_hemalink({"report", "av", "--truth", (dir / "day.jsonl").string(), "--db",
                         harness_->dsn(), "--json", (dir / "av.json").string(), "--top", "2"},
                        out, err);
  ASSERT_EQ(status, 0) << err.str() << "a false negative is a finding, not a failure";
  const auto text = out.str();
  EXPECT_EQ(text.rfind("FALSE NEGATIVES: 1 specimen(s)", 0), 0u) << text;
  EXPECT_NE(text.find("S2  hospital  acute-leukaemia: blasts present"), std::string::npos);
  EXPECT_NE(text.find("specimens autoverified: 2 of 7 (28.6 %)"), std::string::npos) << text;
  EXPECT_NE(text.find("results autoverified: 13 of 20 (65.0 %)"), std::string::npos) << text;
  std::ifstream file(dir / "av.json");
  const auto doc = nlohmann::json::parse(file);
  EXPECT_TRUE(doc["since"].is_null());
  EXPECT_EQ(doc["truth_specimens"], 8);
  EXPECT_EQ(doc["specimens"]["total"], 7);
  EXPECT_EQ(doc["specimens"]["autoverified"], 2);
  EXPECT_EQ(doc["specimens"]["held"], 5);
  EXPECT_DOUBLE_EQ(doc["specimens"]["share"].get<double>(), 2.0 / 7.0);
  EXPECT_EQ(doc["results"]["total"], 20);
  EXPECT_EQ(doc["results"]["autoverified"], 13);
  EXPECT_EQ(doc["by_profile"][0]["profile"], "hospital");
  EXPECT_EQ(doc["by_profile"][0]["specimens"], 4);
  EXPECT_EQ(doc["by_test"][0]["test"], "APTT");
  EXPECT_EQ(doc["by_test"][0]["results"], 1);
  EXPECT_EQ(doc["by_test"][0]["autoverified"], 0);
  EXPECT_EQ(doc["by_analyzer"][0]["analyzer"], "cs-1");
  EXPECT_EQ(doc["must_review"], (nlohmann::json{{"specimens", 3}, {"held", 2}, {"released", 1}}));
  ASSERT_EQ(doc["held_reasons"].size(), 2u) << "--top 2";
  EXPECT_EQ(doc["held_reasons"][0],
            (nlohmann::json{{"rule_id", "hgb-delta"},
                            {"reason", "HGB changed more than 2 g/dL since the last count"},
                            {"specimens", 3}}));
  EXPECT_EQ(doc["false_negatives"][0], (nlohmann::json{{"specimen_id", "S2"},
                                                       {"profile", "hospital"},
                                                       {"condition", "acute-leukaemia"},
                                                       {"why", "blasts present"}}));
  EXPECT_EQ(doc["needless_holds"]["specimens"], 3);
  EXPECT_EQ(doc["needless_holds"]["by_rule"][0]["rule_id"], "hgb-delta");
  EXPECT_EQ(doc["needless_holds"]["by_rule"][0]["specimens"], 2);
  EXPECT_EQ(doc["missing"], (nlohmann::json{{"specimens", 1}, {"listed", {"S6"}}}));
  EXPECT_EQ(doc["not_in_truth"], 1);
}

TEST_F(ReportAv, TheWindowTakesSpecimensFirstReceivedWithinIt) {
  auto early = tube("xn-1", "1", {{"WBC", released()}});
  early.receipt.received_at -= std::chrono::hours(3);
  auto rerun_of_early = tube("xn-1", "1", {{"HGB", held_by("hgb-delta", "HGB changed")}});
  auto late = tube("xn-1", "2", {{"WBC", released()}});
  harness_->store_all({early, rerun_of_early, late});
  truth_text_ = truth_line("S1", "hospital", "healthy", false, "") +
                truth_line("S2", "hospital", "healthy", false, "");
  const auto since = harness_->query_value("SELECT to_json(now() - interval '1 hour') #>> '{}'");
  const auto windowed = report(10, since);
  EXPECT_EQ(windowed.specimens.total, 1) << "S1 came before the window: its rerun is not in it";
  EXPECT_EQ(windowed.specimens.autoverified, 1);
  EXPECT_EQ(windowed.missing_listed, std::vector<std::string>{"S1"});
  const auto whole = report();
  EXPECT_EQ(whole.specimens.total, 2);
  EXPECT_EQ(whole.held, 1) << "S1's rerun held it";
}

TEST_F(ReportAv, UsageTruthAndDatabaseErrorsExit2) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(cli::run_hemalink({"report", "av", "--db", harness_->dsn()}, out, err), 2);
  EXPECT_NE(err.str().find("hemalink report av: --truth is required"), std::string::npos);
  testing::TempDir dir("report-av");
  std::ofstream(dir / "bad.jsonl")
      << truth_line("S1", "hospital", "healthy", false, "") << "{\"specimen_id\": \"S2\"\n";
  err.str("");
  EXPECT_EQ(cli::run_hemalink(
                {"report", "av", "--truth", (dir / "bad.jsonl").string(), "--db", harness_->dsn()},
                out, err),
            2);
  EXPECT_NE(err.str().find("bad.jsonl:2:"), std::string::npos) << err.str();
  std::ofstream(dir / "good.jsonl") << truth_line("S1", "hospital", "healthy", false, "");
  err.str("");
  EXPECT_EQ(cli::run_hemalink({"report", "av", "--truth", (dir / "good.jsonl").string(), "--db",
                               harness_->dsn(), "--since", "not a time"},
                              out, err),
            2);
  EXPECT_NE(err.str().find("not a time"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace hemalink::report
