#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/command_runs.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

class RulesCommand : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  testing::CommandRun rules(const std::vector<std::string>& args) {
    return testing::run_command_line("rules", args);
  }
  void SetUp() override {
    rules_ = write("plt.json", R"json({"rules": [
  {"id": "plt-release", "applies_to": ["PLT"], "when": "value >= 0", "action": "release"},
  {"id": "plt-low", "applies_to": ["PLT"], "when": "value < 20", "action": "hold",
   "reason": "critical PLT"},
  {"id": "plt-delta", "applies_to": ["PLT"], "when": "abs(delta_pct(72h)) > 50",
   "action": "hold", "reason": "PLT delta"}
]})json");
  }
  std::string cases(const std::string& expected) {
    return write("cases.json", R"json({"cases": [
  {"name": "low", "specimen": {"patient": {"sex": "F", "age_years": 54},
    "results": [{"code": "PLT", "value": "12", "units": "10*3/uL", "flags": []}],
    "specimen_flags": ["Blasts?"], "previous": [{"code": "PLT", "value": "210", "hours_ago": 20}]},
   "expect": {"PLT": ")json" + expected +
                                   R"json("}},
  {"name": "normal", "specimen": {"results": [{"code": "PLT", "value": "250"}]},
   "expect": {"PLT": "release"}}
]})json");
  }
  testing::TempDir dir_{"rules-command"};
  std::string rules_;
};

TEST_F(RulesCommand, TestPrintsEachCaseAndTheRulesThatFired) {
  const auto run = rules({"test", "--rules", rules_, cases("hold")});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("pass  low\n        PLT 12 hold (plt-release, plt-low, plt-delta)\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("2 cases, 2 passed, 0 failed"), std::string::npos) << run.out;
}

TEST_F(RulesCommand, AMismatchFailsTheCaseAndExitsOne) {
  const auto run = rules({"test", "--rules", rules_, cases("release")});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("FAIL  low\n      PLT: expected release, got hold\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("2 cases, 1 passed, 1 failed"), std::string::npos) << run.out;
}

TEST_F(RulesCommand, ExplainShowsEveryRuleWhatItReadAndWhy) {
  const auto run = rules({"explain", "--rules", rules_, cases("hold"), "--case", "normal"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("PLT = 250 : release (released by plt-release)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("not fired plt-low [hold] when value < 20\n            read: value = 250"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("not fired (reads missing data) plt-delta"), std::string::npos) << run.out;
  EXPECT_EQ(rules({"explain", "--rules", rules_, cases("hold")}).status, 2)
      << "two cases: which one?";
}

TEST_F(RulesCommand, ABadRulesFileIsReportedWhereItIsWrong) {
  const auto bad = write("bad.json", R"json({"rules": [
  {"id": "x", "applies_to": ["PLT"], "when": "value < twenty", "action": "release"}
]})json");
  const auto run = rules({"test", "--rules", rules_, "--rules", bad, cases("hold")});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("bad.json:2:55: rule \"x\": when: unknown name \"twenty\""),
            std::string::npos)
      << run.err;
  EXPECT_EQ(rules({"test", cases("hold")}).status, 2) << "no --rules";
}

// The shipped sets on a generated hospital day: most tubes released, none a person must see; a
// set that releases everything lets the day's must-review tubes through, and says which.
TEST_F(RulesCommand, YieldCountsALabDayAgainstItsTruth) {
  const std::string shipped = std::string(HEMALINK_SOURCE_DIR) + "/config/rules/";
  const auto run =
      rules({"yield", "--rules", shipped + "cbc.json", "--rules", shipped + "coag.json", "--rules",
             shipped + "flow.json", "--seeds", "41", "--specimens", "2000"});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("hospital lab days 41-41 of 2000 tubes (2000 tubes)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("false negatives: 0"), std::string::npos) << run.out;

  const auto everything = write("everything.json", R"json({"rules": [
  {"id": "release-all", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})json");
  const auto careless =
      rules({"yield", "--rules", everything, "--seeds", "41", "--specimens", "2000"});
  EXPECT_EQ(careless.status, 1);
  EXPECT_NE(careless.out.find("released without a person: 2000 (100.00 %)"), std::string::npos)
      << careless.out;
  EXPECT_NE(careless.out.find("FALSE NEGATIVE 041"), std::string::npos) << careless.out;

  EXPECT_EQ(rules({"yield", "--seeds", "3-1", "--rules", everything}).status, 2);
}

}  // namespace
}  // namespace hemalink::cli
