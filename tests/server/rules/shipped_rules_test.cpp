// The shipped rule sets (config/rules/) against the shipped cases: every case passes, and every
// rule fires in some case and is passed over in another.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "server/files/text_file.hpp"
#include "server/qc/control_definitions.hpp"
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

// Every value a control is tried at: a ladder from below every critical limit to above every
// linearity limit, and its levels' targets, halved and tripled.
std::set<double> control_values(const qc::ControlDefinitions& definitions,
                                const std::string& test) {
  std::set<double> values = {0.2, 0.9, 2.5, 6.0, 15.0, 45.0, 110.0, 600.0, 6000.0};
  for (const auto& c : definitions.controls) {
    if (c.key.test == test && c.target) {
      values.insert({c.target->mean * 0.5, c.target->mean, c.target->mean * 3});
    }
  }
  return values;
}

// A control of the worst sort for the patient rules: every instrument flag they read, a
// "patient" under one year, the tests all at `value`.
model::ResultSet control_of(const std::vector<std::string>& tests, double value) {
  model::ResultSet control;
  control.specimen_id = "QC-L1";
  control.kind = model::SpecimenKind::QualityControl;
  control.patient = model::Patient{"", "M", "", 0.5};
  for (const char* flag : {"Blasts?", "Abn_Lympho?", "PLT_Clumps?", "RBC_Agglutination?",
                           "Turbidity/HGB_Interference?", "W"})
    control.specimen_flags.push_back({flag, std::nullopt, true});
  for (const auto& test : tests) {
    auto& result = control.observations.emplace_back();
    result.code = test;
    result.numeric = value;
    result.value = std::to_string(value);
    result.is_mapped = true;
    result.flags = {"W"};
  }
  return control;
}

void expect_only_the_qc_rule(const RuleSet& set, const std::vector<std::string>& tests,
                             double value) {
  auto control = control_of(tests, value);
  const auto decisions = set.decide(control, nullptr);
  ASSERT_EQ(decisions.size(), tests.size()) << value << ": a rule calculated a result";
  for (std::size_t i = 0; i < tests.size(); ++i) {
    EXPECT_EQ(decisions[i].verdict, model::Verdict::Hold) << tests[i] << " " << value;
    std::vector<std::string> fired;
    for (const auto& f : decisions[i].fired)
      fired.push_back(f.rule_id);
    EXPECT_EQ(fired, std::vector<std::string>{"qc-not-reported"})
        << "a control of " << tests[i] << " at " << value;
  }
}

// Each test the QC definitions cover alone, then every test a shipped rule names in one
// control: a patient rule that loses its `not is_qc` fires on one of them.
TEST(ShippedRules, OnAControlOnlyTheQcRuleFires) {
  const auto set = shipped_set();
  ASSERT_TRUE(set);
  const auto definitions = qc::load_control_definitions(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                                        "config" / "qc" / "controls.json");
  ASSERT_TRUE(definitions) << files::describe(definitions.error(), "\n");
  std::set<std::string> controlled;
  for (const auto& c : definitions->controls)
    controlled.insert(c.key.test);
  ASSERT_GE(controlled.size(), 5u);
  for (const auto& test : controlled) {
    for (const double value : control_values(*definitions, test))
      expect_only_the_qc_rule(*set, {test}, value);
  }
  std::set<std::string> named;
  for (const auto& rule : set->rules())
    named.insert(rule.applies_to.begin(), rule.applies_to.end());
  named.erase("*");
  const std::vector<std::string> every(named.begin(), named.end());
  for (const double value : control_values(*definitions, ""))
    expect_only_the_qc_rule(*set, every, value);
}

// The range rules as they were before the reference intervals: each band written in its rule.
// The rules that read the intervals must fire on exactly the same results.
struct BandRule {
  const char* id;
  const char* test;
  const char* when;
};
const BandRule kBandRules[] = {
    {"hgb-range-adult-male", "HGB",
     "sex == \"M\" and age_years >= 18 and (value < 13.5 or value > 17.5)"},
    {"hgb-range-adult-female", "HGB",
     "sex == \"F\" and age_years >= 18 and (value < 12.0 or value > 15.5)"},
    {"hgb-range-child", "HGB",
     "age_years >= 1 and age_years < 18 and (value < 11.0 or value > 15.5)"},
    {"aptt-range-adult", "APTT", "age_years >= 1 and (value < 25 or value > 37)"}};

std::string band_rules_file() {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& band : kBandRules) {
    rules.push_back({{"id", band.id},
                     {"applies_to", {band.test}},
                     {"when", fmt::format("not is_qc and {}", band.when)},
                     {"action", "comment"},
                     {"reason", band.id}});
  }
  return nlohmann::json{{"rules", rules}}.dump();
}

bool fires(const RuleSet& set, const std::string& rule_id, const model::ResultSet& specimen) {
  auto copy = specimen;
  const auto decisions = set.decide(copy, nullptr);
  const auto& f = decisions.at(0).fired;
  return std::any_of(f.begin(), f.end(), [&](const auto& x) { return x.rule_id == rule_id; });
}

TEST(ShippedRules, TheReferenceIntervalRulesFireWhereTheBandRulesTheyReplacedFired) {
  const auto set = shipped_set();
  ASSERT_TRUE(set);
  auto bands = RuleSet::load({{"bands.json", band_rules_file()}});
  ASSERT_TRUE(bands) << files::describe(bands.error(), "\n");
  const std::vector<std::optional<double>> ages = {std::nullopt, 0,  0.5, 0.999, 1, 8,
                                                   17.99,        18, 54,  104};
  const std::map<std::string, std::vector<double>> values = {
      {"HGB", {5, 10.9, 11.0, 11.95, 12.0, 13.4, 13.5, 15.5, 15.51, 17.5, 17.51, 21}},
      {"APTT", {21, 24.9, 25, 31, 37, 37.1, 90}}};
  const std::map<std::string, std::string> units = {{"HGB", "g/dL"}, {"APTT", "s"}};
  int compared = 0;
  for (const auto& [test, ladder] : values) {
    const auto rule = test == "HGB" ? "hgb-outside-reference" : "aptt-outside-reference";
    for (const auto& sex : {"M", "F", "U", ""}) {
      for (const auto& age : ages) {
        for (const auto kind :
             {model::SpecimenKind::Patient, model::SpecimenKind::QualityControl}) {
          for (const double value : ladder) {
            model::ResultSet s;
            s.kind = kind;
            s.patient = model::Patient{"P1", sex, "", age};
            auto& o = s.observations.emplace_back();
            o.code = test;
            o.numeric = value;
            o.value = fmt::format("{}", value);
            o.units = units.at(test);
            auto band_set = s;
            const auto decided = (*bands)->decide(band_set, nullptr).at(0);
            EXPECT_EQ(fires(*set, rule, s), !decided.fired.empty())
                << test << " " << value << ", sex \"" << sex << "\", age "
                << (age ? fmt::format("{}", *age) : "unknown");
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 4 * 10 * (12 + 7));
}

}  // namespace
}  // namespace hemalink::rules
