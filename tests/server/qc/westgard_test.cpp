// Each Westgard rule on the textbook sequence that breaks it, and on the near miss that does not:
// within a run across levels, and across runs.
#include "server/qc/westgard.hpp"

#include <gtest/gtest.h>

namespace hemalink::qc {
namespace {

using R = WestgardRule;

}  // namespace

void PrintTo(WestgardRule rule, std::ostream* os) {
  *os << to_string(rule);
}

namespace {

ControlRun run(std::vector<double> z) {
  ControlRun r;
  for (std::size_t i = 0; i < z.size(); ++i) {
    r.values.push_back({std::to_string(i + 1), z[i]});
  }
  return r;
}

std::vector<R> rules_broken(const std::vector<ControlRun>& earlier, const ControlRun& current,
                            const RuleSelection& rules = {}) {
  std::vector<R> out;
  for (const auto& v : evaluate(earlier, current, rules).violations) {
    out.push_back(v.rule);
  }
  std::sort(out.begin(), out.end());
  return out;
}

using Broken = std::vector<R>;

TEST(Westgard, OneBeyondThreeSdRejectsAndOneBeyondTwoOnlyWarns) {
  const auto e = evaluate({}, run({3.2, 0.4}));
  EXPECT_TRUE(e.is_rejected);
  EXPECT_EQ(rules_broken({}, run({3.2, 0.4})), (Broken{R::Warning12s, R::Reject13s}));
  EXPECT_EQ(e.violations[0].detail, "level 1: +3.20 SD");
  const auto warned = evaluate({}, run({-2.9, 0.4}));
  EXPECT_FALSE(warned.is_rejected) << "1-2s alone warns";
  EXPECT_EQ(rules_broken({}, run({-2.9, 0.4})), (Broken{R::Warning12s}));
  EXPECT_EQ(rules_broken({}, run({3.0})), (Broken{R::Warning12s})) << "on 3 SD is not beyond it";
  EXPECT_EQ(rules_broken({}, run({2.0, -2.0})), Broken{}) << "nor on 2 SD";
}

TEST(Westgard, TwoBeyondTheSameTwoSdLimitWithinARunAndAcrossRuns) {
  EXPECT_EQ(rules_broken({}, run({2.3, 2.1})), (Broken{R::Warning12s, R::Reject22s}))
      << "both levels of one run";
  EXPECT_EQ(rules_broken({}, run({2.3, 1.9})), (Broken{R::Warning12s}));
  EXPECT_EQ(rules_broken({run({2.2, 0.1})}, run({2.4, -0.3})),
            (Broken{R::Warning12s, R::Reject22s}))
      << "level 1 in two runs in a row";
  EXPECT_EQ(rules_broken({run({2.2, 0.1})}, run({-2.4, -0.3})), (Broken{R::Warning12s}))
      << "opposite limits across runs: neither 2-2s nor R-4s";
  EXPECT_EQ(rules_broken({run({2.2, 0.1}), run({0.2, 0.1})}, run({2.4, -0.3})),
            (Broken{R::Warning12s}))
      << "not in a row";
}

TEST(Westgard, RangeOfFourSdWithinOneRunOnly) {
  EXPECT_EQ(rules_broken({}, run({2.1, -2.2})), (Broken{R::Warning12s, R::RejectR4s}));
  EXPECT_EQ(rules_broken({}, run({2.1, -1.9})), (Broken{R::Warning12s}))
      << "a range over 4 SD, but not beyond +2 and -2";
}

TEST(Westgard, FourInARowBeyondTheSameOneSdLimit) {
  const std::vector<ControlRun> level_one = {run({1.2}), run({1.5}), run({1.1})};
  EXPECT_EQ(rules_broken(level_one, run({1.3})), (Broken{R::Reject41s})) << "one level, 4 runs";
  EXPECT_EQ(rules_broken({run({1.2}), run({1.5}), run({0.9})}, run({1.3})), Broken{});
  EXPECT_EQ(rules_broken({run({-1.2, -1.4})}, run({-1.1, -1.6})), (Broken{R::Reject41s}))
      << "two levels in two runs: four in a row across materials";
  EXPECT_EQ(rules_broken({run({-1.2, -1.4})}, run({-1.1, 1.6})), Broken{});
}

TEST(Westgard, TenInARowOnOneSideOfTheMean) {
  const std::vector<ControlRun> nine(9, run({0.5}));
  EXPECT_EQ(rules_broken(nine, run({0.2})), (Broken{R::Reject10x}));
  EXPECT_EQ(rules_broken(nine, run({-0.1})), Broken{});
  EXPECT_EQ(rules_broken(std::vector<ControlRun>(4, run({-0.3, -0.6})), run({-0.2, -0.1})),
            (Broken{R::Reject10x}))
      << "two levels in five runs";
  RuleSelection with_8x;
  with_8x.rules = {R::Reject8x};
  EXPECT_EQ(rules_broken(std::vector<ControlRun>(7, run({0.5})), run({0.2}), with_8x),
            (Broken{R::Reject8x}));
  EXPECT_EQ(rules_broken(std::vector<ControlRun>(7, run({0.5})), run({0.2})), Broken{})
      << "8-x is an option, not in the default multirule";
  RuleSelection with_12x;
  with_12x.rules = {R::Reject12x};
  EXPECT_EQ(rules_broken(std::vector<ControlRun>(11, run({0.5})), run({0.2}), with_12x),
            (Broken{R::Reject12x}));
  EXPECT_EQ(rules_broken(std::vector<ControlRun>(10, run({0.5})), run({0.2}), with_12x), Broken{});
}

TEST(Westgard, AnOldViolationIsNotFoundAgainAndOnlyTheRulesChosenAreUsed) {
  const std::vector<ControlRun> four_high = {run({1.2}), run({1.5}), run({1.1}), run({1.3})};
  EXPECT_EQ(rules_broken(four_high, run({-0.5})), Broken{})
      << "the 4-1s was the previous run's; this one breaks nothing";
  RuleSelection only_13s;
  only_13s.rules = {R::Reject13s};
  EXPECT_EQ(rules_broken({}, run({2.3, 2.1}), only_13s), Broken{})
      << "a test whose QC design is 1-3s alone";
  EXPECT_EQ(to_string(R::RejectR4s), "R-4s");
  EXPECT_EQ(to_string(R::Reject10x), "10-x");
}

}  // namespace
}  // namespace hemalink::qc
