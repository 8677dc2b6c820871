// A laboratory day through the daemon as the README's quick start plays it: the example
// configuration (its rules, QC definitions and LIS mapping), the LIS ordering each tube, the XN
// asking for each before it sends it, the CS and the FACS, then `report av` against the day's
// truth, checked against a count made specimen by specimen.
#include <gtest/gtest.h>

#include <map>

#include "server/report/autoverification_report.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "tests/support/lab_day_play.hpp"

namespace hemalink::simulate {
namespace {

std::vector<report::TruthSpecimen> truth_of(const LabDay& day) {
  std::vector<report::TruthSpecimen> truth;
  for (const auto& s : day.specimens) {
    truth.push_back({s.id, std::string(name_of(day.plan.profile)), s.truth, 0});
  }
  return truth;
}

// Each specimen on its own: released when the first decision of each of its results was.
struct HandCount {
  long long autoverified = 0;
  long long released_must_review = 0;
  long long needless_holds = 0;
};

HandCount count_by_hand(const testing::DaemonHarness& lab, const LabDay& day) {
  HandCount count;
  for (const auto& s : day.specimens) {
    const auto held = lab.count(
        "SELECT count(*) FROM results r"
        " LEFT JOIN LATERAL (SELECT decision FROM decisions d WHERE d.result_id = r.id"
        " ORDER BY d.id LIMIT 1) first ON true"
        " WHERE r.specimen_id = '" +
        s.id + "' AND first.decision IS DISTINCT FROM 'release'");
    const bool is_released = held == 0;
    count.autoverified += is_released ? 1 : 0;
    count.released_must_review += is_released && s.truth.must_review ? 1 : 0;
    count.needless_holds += !is_released && !s.truth.must_review ? 1 : 0;
  }
  return count;
}

TEST(LabDayThroughTheDaemon,
     TheReportCountsWhatEachSpecimenShowsAndNoneThatNeedsAPersonIsReleased) {
  testing::DaemonHarness lab(testing::example_configuration_on_loopback());
  LabDayPlan plan;
  plan.specimens = 500;
  plan.seed = 31;
  const auto day = generate_lab_day(plan);
  testing::play_lab_day(lab, day);

  const auto truth = truth_of(day);
  std::vector<std::string> ids;
  for (const auto& t : truth) {
    ids.push_back(t.specimen_id);
  }
  auto records = report::read_autoverification(lab.dsn(), std::nullopt, ids);
  ASSERT_TRUE(records.has_value()) << records.error().detail;
  const auto report = report::measure_autoverification(*records, truth, 10);
  const auto hand = count_by_hand(lab, day);

  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.specimens.total, 500);
  EXPECT_EQ(report.specimens.autoverified, hand.autoverified);
  EXPECT_EQ(report.needless_holds, hand.needless_holds);
  EXPECT_EQ(static_cast<long long>(report.false_negatives.size()), hand.released_must_review);
  EXPECT_TRUE(report.false_negatives.empty())
      << report.false_negatives.size() << " specimens that need a person were released, the first "
      << report.false_negatives.front().specimen_id << ": " << report.false_negatives.front().why;
  EXPECT_GE(report.specimens.autoverified, 400) << "most of a hospital day is released at once";
  EXPECT_GT(report.must_review.total, 0);
}

// The XN's second control run fails (1-3s on level 1): every WBC, HGB and PLT of the tubes
// between it and the next run is held by the QC gate, and none before or after it.
TEST(LabDayThroughTheDaemon, AFailedControlRunHoldsTheTestsUntilTheNextRun) {
  testing::DaemonHarness lab(testing::example_configuration_on_loopback());
  LabDayPlan plan;
  plan.specimens = 300;
  plan.seed = 32;
  plan.qc_fail_run = 2;
  const auto day = generate_lab_day(plan);
  std::vector<std::size_t> runs;
  for (const auto& r : day.qc_runs) {
    if (r.bench == Bench::Hematology) {
      runs.push_back(r.before_specimen);
    }
  }
  ASSERT_EQ(runs.size(), 3u) << "shift start and every 8 hours";
  testing::play_lab_day(lab, day);

  const auto count_of = [&](const LabSpecimen& s, const std::string& condition) {
    return lab.count(
        "SELECT count(*) FROM results r JOIN decisions d ON d.result_id = r.id AND d.is_current"
        " WHERE r.specimen_id = '" +
        s.id + "' AND r.code IN ('WBC', 'HGB', 'PLT') AND " + condition);
  };
  std::size_t between = 0;
  long long gate_holds = 0;
  for (std::size_t i = 0; i < day.specimens.size(); ++i) {
    const auto& s = day.specimens[i];
    if (s.bench != Bench::Hematology) {
      continue;
    }
    const auto by_gate = count_of(s, "d.decided_by = 'system:qc-gate'");
    if (i >= runs[1] && i < runs[2]) {
      ++between;
      gate_holds += by_gate;
      EXPECT_EQ(count_of(s, "d.decision = 'release'"), 0) << s.id << ": tube " << i;
    } else {
      EXPECT_EQ(by_gate, 0) << s.id << ": tube " << i << " is not between the runs";
    }
  }
  EXPECT_GT(gate_holds, 0) << "the gate held what the rules would have released";
  EXPECT_GT(between, 0u);
}

}  // namespace
}  // namespace hemalink::simulate
