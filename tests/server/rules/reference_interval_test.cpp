// Reference intervals in rules files: the one interval that applies to a result (its test and
// units, the patient's sex and age), what `reference_low` and `reference_high` read (unknown when
// none applies), and the loader's errors, each naming the file, the entry and the field.
#include "server/rules/reference_interval.hpp"

#include <gtest/gtest.h>

#include "server/rules/rule_set.hpp"

namespace hemalink::rules {
namespace {

const std::string kHgbIntervals = R"json([
  {"test": "HGB", "sex": "M", "age_from": 18, "age_to": null, "low": 13.5, "high": 17.5,
   "units": "g/dL", "source": "adult men"},
  {"test": "HGB", "sex": "F", "age_from": 18, "low": 12.0, "high": 15.5, "units": "g/dL"},
  {"test": "HGB", "age_from": 1, "age_to": 18, "low": 11.0, "high": 15.5, "units": "g/dL"},
  {"test": "APTT", "low": 25, "high": 37, "units": "s"}
])json";

std::string rules_file(const std::string& intervals, const std::string& rules = "") {
  return R"json({"version": "t1", "reference_intervals": )json" + intervals +
         R"json(, "rules": [)json" + rules + "]}";
}

files::FileErrors errors_of(const std::vector<RuleSource>& sources) {
  auto loaded = RuleSet::load(sources);
  if (loaded) {
    ADD_FAILURE() << "the set was accepted";
    return {};
  }
  return loaded.error();
}

std::string described(const files::FileErrors& errors) {
  return files::describe(errors, "\n");
}

class Intervals : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = RuleSet::load({{"lab.json", rules_file(kHgbIntervals)}});
    ASSERT_TRUE(loaded) << described(loaded.error());
    set = *loaded;
  }
  // The range of the interval for HGB in g/dL, or "none".
  std::string hgb(std::string_view sex, std::optional<double> age) const {
    const auto* found = set->reference_intervals().find("HGB", "g/dL", sex, age);
    return found != nullptr ? found->range : "none";
  }
  std::shared_ptr<const RuleSet> set;
};

TEST_F(Intervals, TheIntervalIsChosenBySexAndAge) {
  EXPECT_EQ(hgb("M", 54), "13.5-17.5");
  EXPECT_EQ(hgb("F", 54), "12.0-15.5");
  EXPECT_EQ(hgb("M", 8), "11.0-15.5");
  EXPECT_EQ(hgb("F", 8), "11.0-15.5");
  EXPECT_EQ(hgb("", 8), "11.0-15.5") << "a child's interval is for either sex";
}

TEST_F(Intervals, AgeBandsHoldFromTheirFirstYearUpToNotIncludingTheirLast) {
  EXPECT_EQ(hgb("M", 0.99), "none");
  EXPECT_EQ(hgb("M", 1), "11.0-15.5");
  EXPECT_EQ(hgb("M", 17.99), "11.0-15.5");
  EXPECT_EQ(hgb("M", 18), "13.5-17.5");
  EXPECT_EQ(hgb("F", 18), "12.0-15.5");
  EXPECT_EQ(hgb("F", 104), "12.0-15.5");
}

TEST_F(Intervals, NoneAppliesWithoutTheSexOrAgeItNeedsOrInOtherUnits) {
  EXPECT_EQ(hgb("", 54), "none") << "an adult of unknown sex";
  EXPECT_EQ(hgb("U", 54), "none");
  EXPECT_EQ(hgb("M", std::nullopt), "none") << "an unknown age";
  const auto& intervals = set->reference_intervals();
  EXPECT_EQ(intervals.find("HGB", "g/L", "M", 54), nullptr) << "g/L is not g/dL";
  ASSERT_NE(intervals.find("HGB", "g/dl", "M", 54), nullptr) << "units as labs spell them";
  ASSERT_NE(intervals.find("HGB", "", "M", 54), nullptr) << "a result without units";
  EXPECT_EQ(intervals.find("PLT", "10*3/uL", "M", 54), nullptr) << "a test without interval";
  const auto* aptt = intervals.find("APTT", "s", "", std::nullopt);
  ASSERT_NE(aptt, nullptr) << "an interval for every age and either sex needs neither";
  EXPECT_EQ(aptt->range, "25-37");
}

model::ResultSet hgb_specimen(std::string sex, std::optional<double> age, double value,
                              std::string units = "g/dL") {
  model::ResultSet s;
  s.specimen_id = "S1";
  s.patient = model::Patient{"P1", std::move(sex), "", age};
  auto& o = s.observations.emplace_back();
  o.code = "HGB";
  o.numeric = value;
  o.value = std::to_string(value);
  o.units = std::move(units);
  return s;
}

// The rule as the shipped sets write it, and one that would fire on an unknown if unknowns were
// taken as false: neither fires where no interval applies.
const std::string kRangeRules = R"json(
  {"id": "ok", "applies_to": ["HGB"], "when": "value > 0", "action": "release"},
  {"id": "outside", "applies_to": ["HGB"],
   "when": "value < reference_low or value > reference_high", "action": "comment",
   "reason": "outside the reference interval"},
  {"id": "not-inside", "applies_to": ["HGB"],
   "when": "not (value >= reference_low and value <= reference_high)", "action": "hold",
   "reason": "not inside"})json";

std::vector<std::string> fired(const RuleSet& set, model::ResultSet specimen) {
  const auto decisions = set.decide(specimen, nullptr);
  std::vector<std::string> ids;
  for (const auto& f : decisions.at(0).fired)
    ids.push_back(f.rule_id);
  return ids;
}

TEST(ReferenceRules, TheRuleReadsTheIntervalOfThePatientsSexAndAgeAndUnknownWhenNone) {
  auto loaded = RuleSet::load({{"lab.json", rules_file(kHgbIntervals, kRangeRules)}});
  ASSERT_TRUE(loaded) << described(loaded.error());
  const auto& set = **loaded;
  using Ids = std::vector<std::string>;
  EXPECT_EQ(fired(set, hgb_specimen("M", 54, 13.0)), (Ids{"ok", "outside", "not-inside"}));
  EXPECT_EQ(fired(set, hgb_specimen("F", 54, 13.0)), (Ids{"ok"}));
  EXPECT_EQ(fired(set, hgb_specimen("F", 54, 15.6)), (Ids{"ok", "outside", "not-inside"}));
  EXPECT_EQ(fired(set, hgb_specimen("M", 17.5, 16.0)), (Ids{"ok", "outside", "not-inside"}));
  EXPECT_EQ(fired(set, hgb_specimen("M", 18, 16.0)), (Ids{"ok"}));
  EXPECT_EQ(fired(set, hgb_specimen("M", 0.5, 25.0)), (Ids{"ok"})) << "no interval: unknown";
  EXPECT_EQ(fired(set, hgb_specimen("", 54, 3.0)), (Ids{"ok"}));
  EXPECT_EQ(fired(set, hgb_specimen("M", 54, 130, "g/L")), (Ids{"ok"}));
}

TEST(ReferenceRules, ExplainShowsWhatTheConditionReadOfTheInterval) {
  auto loaded = RuleSet::load({{"lab.json", rules_file(kHgbIntervals, kRangeRules)}});
  ASSERT_TRUE(loaded) << described(loaded.error());
  const auto adult = hgb_specimen("F", 54, 11.0);
  const auto infant = hgb_specimen("F", 0.5, 11.0);
  const auto reads = [&](const model::ResultSet& s) {
    const auto traces = (*loaded)->explain({s.observations[0], s});
    return traces.at(1).inputs;
  };
  using Inputs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(
      reads(adult),
      (Inputs{
          {"value", "11"}, {"reference_low", "12"}, {"value", "11"}, {"reference_high", "15.5"}}));
  EXPECT_EQ(reads(infant), (Inputs{{"value", "11"},
                                   {"reference_low", "missing"},
                                   {"value", "11"},
                                   {"reference_high", "missing"}}));
}

TEST(ReferenceRules, ATestWithoutAnyIntervalReadsUnknown) {
  auto loaded = RuleSet::load({{"lab.json", rules_file("[]", R"json(
    {"id": "low", "applies_to": ["*"], "when": "value < reference_low", "action": "hold",
     "reason": "low"})json")}});
  ASSERT_TRUE(loaded) << described(loaded.error());
  EXPECT_TRUE(fired(**loaded, hgb_specimen("M", 54, -100)).empty());
}

TEST(ReferenceIntervalErrors, EachNamesTheFileTheEntryAndTheField) {
  const auto errors = errors_of({{"lab.json", rules_file(R"json([
    {"test": "HGB", "low": 13.5},
    {"test": "HGB", "sex": "X", "low": 17.5, "high": 13.5},
    {"test": "WBC", "age_from": 18, "age_to": 18, "low": "3.5", "high": 8.8, "colour": "red"},
    {"low": 1, "high": 2, "age_to": "adult"},
    "HGB 11-15"
  ])json")}});
  const auto text = described(errors);
  for (const char* expected :
       {"lab.json:2:5: reference_intervals[0].high: required",
        "lab.json:3:28: reference_intervals[1].sex: expected \"M\" or \"F\", got \"X\"",
        "lab.json:3:54: reference_intervals[1].high: expected a limit above low (17.5), got 13.5",
        "lab.json:4:47: reference_intervals[2].age_to: expected an age above age_from (18)",
        "lab.json:4:58: reference_intervals[2].low: expected a number, got \"3.5\"",
        "lab.json:4:88: reference_intervals[2].colour: unknown key",
        "lab.json:5:5: reference_intervals[3].test: required",
        "lab.json:5:37: reference_intervals[3].age_to: expected an age in years",
        "lab.json:6:5: reference_intervals[4]: expected an object, got \"HGB 11-15\""}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\nin\n" << text;
  }
  EXPECT_EQ(errors.size(), 9u) << text;
}

TEST(ReferenceIntervalErrors, OverlappingIntervalsAreRefusedEvenInTwoFiles) {
  const auto errors = errors_of({{"lab.json", rules_file(R"json([
    {"test": "HGB", "sex": "M", "age_from": 18, "low": 13.5, "high": 17.5},
    {"test": "HGB", "age_from": 16, "age_to": 19, "low": 12.0, "high": 16.0}
  ])json")}});
  ASSERT_EQ(errors.size(), 1u) << described(errors);
  EXPECT_EQ(errors[0].describe(),
            "lab.json:3:5: reference_intervals[1]: HGB, either sex, ages 16 to under 19 overlaps "
            "reference_intervals[0] at lab.json:2:5 (HGB, sex M, ages 18 and over): a result of "
            "HGB in both would have two reference intervals");

  const auto across = errors_of(
      {{"cbc.json", rules_file(R"json([{"test": "APTT", "low": 25, "high": 37}])json")},
       {"coag.json",
        rules_file(R"json([{"test": "APTT", "age_from": 1, "low": 26, "high": 36}])json")}});
  ASSERT_EQ(across.size(), 1u) << described(across);
  EXPECT_EQ(across[0].file, "coag.json");
  EXPECT_NE(across[0].message.find("at cbc.json:1:43"), std::string::npos) << across[0].message;
}

TEST(ReferenceIntervalErrors, IntervalsThatMeetOrDifferBySexOrUnitsDoNotOverlap) {
  auto loaded = RuleSet::load({{"lab.json", rules_file(R"json([
    {"test": "HGB", "age_from": 1, "age_to": 18, "low": 11.0, "high": 15.5},
    {"test": "HGB", "sex": "M", "age_from": 18, "low": 13.5, "high": 17.5, "units": "g/dL"},
    {"test": "HGB", "sex": "F", "age_from": 18, "low": 12.0, "high": 15.5, "units": "g/dL"},
    {"test": "HGB", "sex": "M", "age_from": 18, "low": 135, "high": 175, "units": "g/L"},
    {"test": "PLT", "sex": "M", "age_from": 18, "low": 145, "high": 348}
  ])json")}});
  ASSERT_TRUE(loaded) << described(loaded.error());
  EXPECT_EQ((*loaded)->reference_intervals().all().size(), 5u);
  EXPECT_EQ((*loaded)->reference_intervals().find("HGB", "g/L", "M", 40)->range, "135-175");
}

}  // namespace
}  // namespace hemalink::rules
