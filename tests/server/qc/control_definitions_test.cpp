// A lab's control definitions file: targets from the insert or the establish phase, the rules
// each test uses, and every mistake named with its JSON path, line and column.
#include "server/qc/control_definitions.hpp"

#include <gtest/gtest.h>

namespace hemalink::qc {
namespace {

TEST(ControlDefinitions, ReadsTargetsEstablishedControlsAndEachTestsRules) {
  const auto parsed = parse_control_definitions(R"({
  "controls": [
    {"analyzer": "xn-1", "test": "WBC", "material": "XN-CHECK", "level": "1", "lot": "4411",
     "mean": 3.05, "sd": 0.12},
    {"analyzer": "cs-1", "test": "PT_SEC", "level": "N", "establish": 10}
  ],
  "tests": [
    {"test": "PT_SEC", "rules": ["1-3s", "2-2s", "R-4s"]},
    {"analyzer": "cs-2", "test": "PT_SEC", "rules": ["1-3s"]}
  ]
})",
                                                "qc.json");
  ASSERT_TRUE(parsed) << files::describe(parsed.error(), "\n");
  ASSERT_EQ(parsed->controls.size(), 2U);
  const auto& wbc = parsed->controls[0];
  EXPECT_EQ(wbc.key.describe(), "xn-1 WBC, XN-CHECK level 1 lot 4411");
  ASSERT_TRUE(wbc.target.has_value());
  EXPECT_DOUBLE_EQ(wbc.target->mean, 3.05);
  EXPECT_DOUBLE_EQ(wbc.target->sd, 0.12);
  EXPECT_FALSE(parsed->controls[1].target.has_value());
  EXPECT_EQ(parsed->controls[1].establish_runs, 10U);

  using R = WestgardRule;
  EXPECT_EQ(parsed->rules_of("cs-1", "PT_SEC").rules,
            (std::vector<R>{R::Reject13s, R::Reject22s, R::RejectR4s}));
  EXPECT_EQ(parsed->rules_of("cs-2", "PT_SEC").rules, std::vector<R>{R::Reject13s});
  EXPECT_EQ(parsed->rules_of("xn-1", "WBC").rules, RuleSelection{}.rules)
      << "a test the file does not name uses the classic multirule";
}

TEST(ControlDefinitions, EveryMistakeIsNamedWithItsPathAndLine) {
  const auto parsed = parse_control_definitions(R"({
  "controls": [
    {"analyzer": "xn-1", "test": "WBC", "level": "1", "mean": 3.05},
    {"analyzer": "xn-1", "test": "WBC", "level": "1", "mean": 3.05, "sd": 0},
    {"analyzer": "xn-1", "test": "HGB", "level": "1", "establish": 1},
    {"test": "PLT", "level": "1", "mean": 250, "sd": 10, "colour": "red"}
  ],
  "tests": [{"test": "WBC", "rules": ["1-3s", "3-1s"]}]
})",
                                                "qc.json");
  ASSERT_FALSE(parsed);
  std::string all = files::describe(parsed.error(), "\n");
  for (const auto* expected : {
           "qc.json:3:5: controls[0]: mean given without sd",
           "qc.json:4:75: controls[1].sd: expected an SD above 0",
           "controls[1]: the control xn-1 WBC, level 1 is already defined at controls[0]",
           "qc.json:5:68: controls[2].establish: expected an integer 2-100, got 1",
           "controls[3].analyzer: required",
           "controls[3].colour: unknown key",
           "qc.json:8:47: tests[0].rules[1]: unknown Westgard rule \"3-1s\"",
       }) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\nin:\n" << all;
  }
  EXPECT_EQ(parsed.error().size(), 7U) << all;
}

}  // namespace
}  // namespace hemalink::qc
