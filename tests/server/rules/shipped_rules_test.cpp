// The shipped rule sets (config/rules/) against the shipped cases: every case passes, and every
// rule fires in some case and is passed over in another.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/files/text_file.hpp"
#include "server/rules/rule_cases.hpp"
#include "server/rules/rule_files.hpp"

namespace hemalink::rules {
namespace {

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

std::shared_ptr<const RuleSet> shipped_set() {
  auto loaded = load_rule_files({kRules / "cbc.json", kRules / "coag.json", kRules / "flow.json"});
  if (!loaded) {
    ADD_FAILURE() << files::describe(loaded.error(), "\n");
    return nullptr;
  }
  return *loaded;
}

std::vector<RuleCase> shipped_cases() {
  const auto text = files::read_text_file(kRules / "cases.json");
  EXPECT_TRUE(text);
  auto cases = read_rule_cases(text.value_or(""), "cases.json");
  if (!cases) {
    ADD_FAILURE() << files::describe(cases.error(), "\n");
    return {};
  }
  return *cases;
}

TEST(ShippedRules, EveryCasePasses) {
  const auto set = shipped_set();
  ASSERT_TRUE(set);
  const auto cases = shipped_cases();
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    const auto outcome = run_case(*set, c);
    for (const auto& m : outcome.mismatches)
      ADD_FAILURE() << c.name << ": " << m;
  }
}

TEST(ShippedRules, EveryRuleFiresInSomeCaseAndIsPassedOverInAnother) {
  const auto set = shipped_set();
  ASSERT_TRUE(set);
  const auto covered = coverage(*set, shipped_cases());
  EXPECT_TRUE(covered.never_fired.empty())
      << "no case makes these fire: " << ::testing::PrintToString(covered.never_fired);
  EXPECT_TRUE(covered.never_passed_over.empty())
      << "every case makes these fire: " << ::testing::PrintToString(covered.never_passed_over);
}

TEST(ShippedRules, EveryRuleNamesItsSourceOrIsARelease) {
  const auto set = shipped_set();
  ASSERT_TRUE(set);
  for (const auto& rule : set->rules()) {
    EXPECT_TRUE(!rule.source.empty() || rule.action == model::RuleAction::Release)
        << rule.id << " has thresholds without a source";
    EXPECT_FALSE(rule.description.empty()) << rule.id;
  }
}

}  // namespace
}  // namespace hemalink::rules
