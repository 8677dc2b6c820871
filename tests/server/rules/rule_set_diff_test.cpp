#include "server/rules/rule_set_diff.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/rules/rule_set.hpp"

namespace hemalink::rules {
namespace {

// The rules of one file `{"rules": [...]}` as the reader compiles them.
std::vector<Rule> rules_of(const std::string& rules, const std::string& file = "lab.json") {
  auto loaded = RuleSet::load({{file, R"json({"version": "t", "rules": [)json" + rules + "]}"}});
  if (!loaded) {
    ADD_FAILURE() << files::describe(loaded.error(), "\n");
    return {};
  }
  return (*loaded)->rules();
}

const std::string kRelease =
    R"({"id": "wbc-release", "applies_to": ["WBC"], "when": "value < 11", "action": "release"})";
const std::string kPlatelets =
    R"({"id": "plt-low", "applies_to": ["PLT"], "when": "value < 100", "action": "hold",
        "reason": "low platelets"})";
const std::string kBlasts =
    R"j({"id": "blasts", "applies_to": ["*"], "when": "flag(\"Blasts?\")", "action": "hold",
        "reason": "blasts suspected"})j";

TEST(RuleSetDiff, TheSameRulesInAnotherFileOrOrderDifferInNothing) {
  const auto diff = diff_rule_sets(rules_of(kRelease + "," + kPlatelets),
                                   rules_of(kPlatelets + "," + kRelease, "moved.json"));
  EXPECT_TRUE(diff.is_empty());
}

TEST(RuleSetDiff, RulesAddedAndRemovedAreNamedWithWhatTheyDo) {
  const auto diff =
      diff_rule_sets(rules_of(kRelease + "," + kPlatelets), rules_of(kRelease + "," + kBlasts));
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].id, "blasts");
  EXPECT_EQ(diff.added[0].action, "hold");
  EXPECT_EQ(diff.added[0].when, "flag(\"Blasts?\")");
  ASSERT_EQ(diff.removed.size(), 1u);
  EXPECT_EQ(diff.removed[0].id, "plt-low");
  EXPECT_TRUE(diff.changed.empty());
}

TEST(RuleSetDiff, AChangedRuleNamesEveryFieldThatDiffers) {
  const auto wider =
      R"({"id": "plt-low", "applies_to": ["PLT", "PLT-F"], "when": "value < 80", "action": "hold",
          "reason": "low platelets"})";
  const auto diff = diff_rule_sets(rules_of(kRelease + "," + kPlatelets),
                                   rules_of(kRelease + "," + std::string(wider)));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].id, "plt-low");
  EXPECT_EQ(diff.changed[0].fields, (std::vector<std::string>{"applies_to", "when"}));
  EXPECT_TRUE(diff.added.empty());
  EXPECT_TRUE(diff.removed.empty());
}

TEST(RuleSetDiff, ACalculationsFieldsAreComparedOneByOne) {
  const auto mchc = [](const char* decimals) {
    return fmt::format(
        R"({{"id": "mchc", "applies_to": ["HGB"], "when": "true", "action": "compute",
            "compute": {{"code": "MCHC", "expr": "value / result(\"HCT\") * 100",
                        "units": "g/dL", "decimals": {}}}}})",
        decimals);
  };
  const auto diff = diff_rule_sets(rules_of(mchc("1")), rules_of(mchc("2")));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].fields, std::vector<std::string>{"compute.decimals"});
}

TEST(RuleSetDiff, TextAndJsonSayTheSame) {
  const auto diff =
      diff_rule_sets(rules_of(kRelease + "," + kPlatelets), rules_of(kBlasts + "," + kRelease));
  const auto text = diff_text(diff, "v1", "v2");
  EXPECT_NE(text.find("rules from v1 to v2: 1 added, 1 removed, 0 changed"), std::string::npos)
      << text;
  EXPECT_NE(text.find("+ blasts [hold]"), std::string::npos) << text;
  EXPECT_NE(text.find("- plt-low [hold]"), std::string::npos) << text;
  const auto json = nlohmann::json::parse(diff_json(diff, "v1", "v2"));
  EXPECT_EQ(json["from"], "v1");
  EXPECT_EQ(json["to"], "v2");
  EXPECT_EQ(json["added"][0]["id"], "blasts");
  EXPECT_EQ(json["removed"][0]["id"], "plt-low");
  EXPECT_TRUE(json["changed"].empty());
}

// A set whose rules are the same and whose intervals differ is not "no change".
TEST(RuleSetDiff, AChangedReferenceIntervalIsOneRemovedAndOneAdded) {
  const auto set_with = [](const std::string& intervals) {
    auto loaded = RuleSet::load({{"cbc.json", R"json({"reference_intervals": [)json" + intervals +
                                                  R"json(], "rules": [)json" + kRelease + "]}"}});
    EXPECT_TRUE(loaded) << files::describe(loaded.error(), "\n");
    return *loaded;
  };
  const std::string wbc = R"json({"test": "WBC", "low": 3.5, "high": 8.8, "units": "10*3/uL"})json";
  const auto from = set_with(
      wbc + R"json(, {"test": "HGB", "sex": "M", "age_from": 18, "low": 13.5, "high": 17.5})json");
  const auto to = set_with(
      R"json({"test": "HGB", "sex": "M", "age_from": 18, "low": 13.0, "high": 17.5}, )json" + wbc);
  const auto diff = diff_rule_sets(*from, *to);
  EXPECT_FALSE(diff.is_empty());
  EXPECT_TRUE(diff.changed.empty());
  EXPECT_EQ(diff.intervals_added,
            std::vector<std::string>{"HGB, sex M, ages 18 and over: 13.0-17.5"});
  EXPECT_EQ(diff.intervals_removed,
            std::vector<std::string>{"HGB, sex M, ages 18 and over: 13.5-17.5"});
  const auto text = diff_text(diff, "v1", "v2");
  EXPECT_NE(text.find("reference intervals: 1 added, 1 removed\n"
                      "+ interval HGB, sex M, ages 18 and over: 13.0-17.5\n"
                      "- interval HGB, sex M, ages 18 and over: 13.5-17.5\n"),
            std::string::npos)
      << text;
  const auto json = nlohmann::json::parse(diff_json(diff, "v1", "v2"));
  EXPECT_EQ(json["intervals_added"].size(), 1u);
  EXPECT_TRUE(diff_rule_sets(*from, *from).is_empty());
}

}  // namespace
}  // namespace hemalink::rules
