// The report's figures from decisions as the store reads them, without a database: what counts
// as autoverified, how hold reasons are counted and ranked, what is missing.
#include "server/report/autoverification_report.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hemalink::report {
namespace {

TruthSpecimen truth_of(std::string id, bool must_review, std::string profile = "hospital") {
  TruthSpecimen t;
  t.specimen_id = std::move(id);
  t.profile = std::move(profile);
  t.truth = {must_review ? "acute-leukaemia" : "healthy", must_review,
             must_review ? "blasts present" : ""};
  return t;
}

report::SpecimenDecisions held(std::string id, std::vector<report::HoldFiring> holds) {
  return {std::move(id), 3, 3 - static_cast<long long>(holds.size()), std::move(holds)};
}

TEST(AutoverificationReport, ASpecimenCountsOncePerReasonAndTiesRankByName) {
  report::AutoverificationRecords records;
  records.specimens = {
      held("A", {{"diff-sum", "differential does not add up"},
                 {"diff-sum", "differential does not add up"}}),
      held("B", {{"diff-sum", "differential does not add up"}, {"plt-low", "low platelets"}}),
      held("C", {{"", "no rule released this result: held for review"}}),
      held("D", {{"qc-gate", "no QC run of WBC on xn-1 within 8 h"},
                 {"qc-gate", "no QC run of HGB on xn-1 within 8 h"},
                 {"qc-gate", "no QC run of WBC on xn-1 within 8 h"}}),
      {"E", 3, 3, {}}};
  std::vector<TruthSpecimen> truth;
  for (const auto* id : {"A", "B", "C", "D", "E"}) {
    truth.push_back(truth_of(id, false));
  }
  const auto r = measure_autoverification(records, truth, 3);
  EXPECT_EQ(r.held, 4);
  ASSERT_EQ(r.held_reasons.size(), 3u) << "--top 3 of 4 reasons";
  EXPECT_EQ(r.held_reasons[0].rule_id, "diff-sum");
  EXPECT_EQ(r.held_reasons[0].specimens, 2) << "A's two held results are one specimen";
  EXPECT_EQ(r.held_reasons[1].rule_id, "") << "a reason without a rule ranks before rules";
  EXPECT_EQ(r.held_reasons[1].reason, "no rule released this result: held for review");
  EXPECT_EQ(r.held_reasons[2].rule_id, "plt-low");
  ASSERT_EQ(r.needless_by_rule.size(), 4u) << "every needless hold's rule, not only the top";
  EXPECT_EQ(r.needless_by_rule[3].rule_id, "qc-gate");
  EXPECT_EQ(r.needless_by_rule[3].reason, "no QC run of WBC on xn-1 within 8 h")
      << "the text most of the rule's firings gave";
  EXPECT_EQ(r.specimens.autoverified, 1);
}

TEST(AutoverificationReport, MissingSpecimensAreCountedAndTheFirst20Listed) {
  report::AutoverificationRecords records;
  records.specimens = {{"S000", 2, 2, {}}, {"OTHER", 2, 0, {{"", "x"}}}};
  std::vector<TruthSpecimen> truth;
  for (int i = 0; i < 25; ++i) {
    truth.push_back(truth_of(fmt::format("S{:03}", i), false));
  }
  const auto r = measure_autoverification(records, truth, 10);
  EXPECT_EQ(r.missing, 24);
  ASSERT_EQ(r.missing_listed.size(), 20u);
  EXPECT_EQ(r.missing_listed.front(), "S001");
  EXPECT_EQ(r.missing_listed.back(), "S020");
  EXPECT_EQ(r.not_in_truth, 1);
  EXPECT_EQ(r.held, 0) << "a specimen outside the truth is in no figure";
  EXPECT_NE(report_text(r).find("... and 4 more"), std::string::npos);
}

TEST(AutoverificationReport, NoSpecimenSeenGivesNoShareRatherThanZero) {
  const auto r = measure_autoverification({}, {truth_of("A", true)}, 10);
  EXPECT_FALSE(r.specimens.share());
  const auto doc = nlohmann::json::parse(report_json(r));
  EXPECT_TRUE(doc["specimens"]["share"].is_null());
  EXPECT_EQ(doc["missing"]["specimens"], 1);
  EXPECT_EQ(doc["must_review"]["specimens"], 0) << "a missing specimen is not a pass";
}

}  // namespace
}  // namespace hemalink::report
