#include "server/rules/rule_set.hpp"

#include "server/rules/rule_cases.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hemalink::rules {
namespace {

model::Observation result(std::string code, double value) {
  model::Observation o;
  o.code = std::move(code);
  o.numeric = value;
  o.value = std::to_string(value);
  return o;
}

struct History : ResultHistory {
  std::optional<double> previous(const model::ResultSet&, std::string_view, double) const override {
    return std::nullopt;
  }
  std::optional<double> same_specimen(const model::ResultSet&,
                                      std::string_view code) const override {
    auto it = elsewhere.find(std::string(code));
    return it == elsewhere.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::map<std::string, double> elsewhere;
};

std::shared_ptr<const RuleSet> load(const std::string& rules) {
  auto loaded =
      RuleSet::load({{"lab.json", R"json({"version": "t1", "rules": [)json" + rules + "]}"}});
  if (!loaded) {
    ADD_FAILURE() << files::describe(loaded.error(), "\n");
    return nullptr;
  }
  return *loaded;
}

const char* kCbcRules = R"json(
  {"id": "release", "applies_to": ["PLT", "HGB", "HCT", "MCHC"], "when": "value > 0",
   "action": "release"},
  {"id": "plt-low", "applies_to": ["PLT"], "when": "value < 100", "action": "hold",
   "reason": "PLT below 100"},
  {"id": "plt-crit", "applies_to": ["PLT"], "when": "value < 20", "action": "rerun",
   "reason": "critical PLT: repeat"},
  {"id": "plt-note", "applies_to": ["PLT"], "when": "value < 20", "action": "comment",
   "reason": "critical value called to ward"},
  {"id": "smear", "applies_to": ["PLT"], "when": "value < 50", "action": "reflex",
   "reason": "low PLT: check for clumps", "reflex_test": "SMEAR"},
  {"id": "mchc", "applies_to": ["HGB"], "when": "has_result(\"HCT\")", "action": "compute",
   "compute": {"code": "MCHC", "expr": "value / result(\"HCT\") * 100", "units": "g/dL",
               "decimals": 1}},
  {"id": "mchc-high", "applies_to": ["MCHC"], "when": "value > 36.5", "action": "hold",
   "reason": "MCHC above 36.5 g/dL: lipemia or cold agglutinin?"},
  {"id": "qc", "applies_to": ["*"], "when": "is_qc", "action": "hold", "reason": "QC"}
)json";

class Decisions : public ::testing::Test {
 protected:
  void SetUp() override {
    set = load(kCbcRules);
    ASSERT_TRUE(set);
  }
  std::vector<model::Decision> decide(std::vector<model::Observation> results) {
    specimen.observations = std::move(results);
    return set->decide(specimen, &history);
  }
  std::shared_ptr<const RuleSet> set;
  model::ResultSet specimen;
  History history;
};

TEST_F(Decisions, ReleasedOnlyWhenAReleaseRuleFiresAndNothingHolds) {
  const auto d = decide({result("PLT", 250), result("WBC", 7.1), result("PLT", 80)});
  EXPECT_EQ(d[0].verdict, model::Verdict::Release);
  EXPECT_EQ(d[0].reason, "released by release");
  EXPECT_EQ(d[0].rule_set_version.substr(0, 3), "t1#");
  EXPECT_EQ(d[0].decided_by, "rules:" + set->version());
  EXPECT_EQ(d[1].verdict, model::Verdict::Hold) << "no rule releases WBC: fail safe";
  EXPECT_EQ(d[1].reason, "no rule released this result: held for review");
  EXPECT_TRUE(d[1].fired.empty());
  EXPECT_EQ(d[2].verdict, model::Verdict::Hold);
  EXPECT_EQ(d[2].reason, "PLT below 100");
  ASSERT_EQ(d[2].fired.size(), 2u);
  EXPECT_EQ(d[2].fired[0].rule_id, "release");
  EXPECT_EQ(d[2].fired[1].rule_id, "plt-low");
}

TEST_F(Decisions, RerunBeatsHoldAndEveryFiringIsKept) {
  const auto d = decide({result("PLT", 12)});
  EXPECT_EQ(d[0].verdict, model::Verdict::Rerun);
  EXPECT_EQ(d[0].reason, "critical PLT: repeat");
  std::vector<std::string> ids;
  for (const auto& f : d[0].fired)
    ids.push_back(f.rule_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"release", "plt-low", "plt-crit", "plt-note", "smear"}));
  EXPECT_EQ(d[0].fired[4].action, model::RuleAction::Reflex);
  EXPECT_EQ(d[0].fired[4].reflex_test, "SMEAR");
  EXPECT_EQ(specimen.observations[0].comments,
            std::vector<std::string>{"critical value called to ward"});
}

TEST_F(Decisions, ARerunIsNotRerunAgain) {
  specimen.is_rerun = true;
  auto d = decide({result("PLT", 12)});
  EXPECT_EQ(d[0].verdict, model::Verdict::Hold);
  EXPECT_EQ(d[0].reason,
            "PLT below 100; critical PLT: repeat (already a rerun: held, not rerun again)");

  specimen.is_rerun = false;
  history.elsewhere["PLT"] = 14;  // this specimen already had a PLT: an unmarked repeat
  d = decide({result("PLT", 12)});
  EXPECT_EQ(d[0].verdict, model::Verdict::Hold);
}

TEST_F(Decisions, CalculatedResultsJoinTheSpecimenAndAreDecidedToo) {
  auto d = decide({result("HGB", 15.0), result("HCT", 40.0)});
  ASSERT_EQ(specimen.observations.size(), 3u);
  const auto& mchc = specimen.observations[2];
  EXPECT_EQ(mchc.code, "MCHC");
  EXPECT_EQ(mchc.value, "37.5");
  EXPECT_EQ(mchc.units, "g/dL");
  EXPECT_EQ(mchc.raw_code, "") << "not measured by an analyzer";
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].verdict, model::Verdict::Hold);
  EXPECT_EQ(d[2].fired[0].rule_id, "mchc");
  EXPECT_EQ(d[2].fired[0].action, model::RuleAction::Compute);

  d = decide({result("HGB", 15.0), result("HCT", 40.0), result("MCHC", 34.0)});
  EXPECT_EQ(specimen.observations.size(), 3u) << "a measured MCHC wins";
  EXPECT_EQ(d[2].verdict, model::Verdict::Release);

  decide({result("HGB", 15.0)});
  EXPECT_EQ(specimen.observations.size(), 1u) << "no HCT: nothing to calculate";
}

TEST(RuleSetHistory, OnlyCodesWhoseRulesReadEarlierResultsNeedThePatientsHistory) {
  const auto set = load(R"json(
    {"id": "hgb-delta", "applies_to": ["HGB"], "when": "abs(delta(72h)) > 3", "action": "hold",
     "reason": "delta"},
    {"id": "plt-new", "applies_to": ["PLT"], "when": "not has_previous(30d)", "action": "hold",
     "reason": "first PLT"},
    {"id": "wbc-low", "applies_to": ["WBC"], "when": "value < 2", "action": "hold",
     "reason": "low"})json");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->reads_previous("HGB"));
  EXPECT_TRUE(set->reads_previous("PLT"));
  EXPECT_FALSE(set->reads_previous("WBC"));
  EXPECT_FALSE(set->reads_previous("MCV")) << "no rule at all";
  const auto every = load(R"json(
    {"id": "any-delta", "applies_to": ["*"], "when": "abs(delta_pct(7d)) > 80", "action": "hold",
     "reason": "delta"})json");
  ASSERT_TRUE(every);
  EXPECT_TRUE(every->reads_previous("MCV")) << "a rule for every result reads every code's";
}

TEST(RuleSetCalculations, AcrossAnalyzersFromTheSameSpecimen) {
  auto set = load(R"json(
    {"id": "cd4-abs", "applies_to": ["CD4_PCT"], "when": "has_result(\"LYMPH_ABS\")",
     "action": "compute",
     "compute": {"code": "CD4_ABS", "expr": "value / 100 * result(\"LYMPH_ABS\") * 1000",
                 "units": "/uL", "decimals": 0}})json");
  ASSERT_TRUE(set);
  model::ResultSet flow;
  flow.observations = {result("CD4_PCT", 42.0)};
  History history;
  set->decide(flow, &history);
  EXPECT_EQ(flow.observations.size(), 1u) << "the CBC has not arrived";
  history.elsewhere["LYMPH_ABS"] = 1.85;  // from the XN, same specimen ID
  set->decide(flow, &history);
  ASSERT_EQ(flow.observations.size(), 2u);
  EXPECT_EQ(flow.observations[1].value, "777");
}

TEST(RuleSetIndex, WildcardRulesApplyToEveryCodeInFileOrder) {
  auto set = load(R"json(
    {"id": "all", "applies_to": ["*"], "when": "value >= 0", "action": "release"},
    {"id": "wbc", "applies_to": ["WBC"], "when": "value > 30", "action": "hold",
     "reason": "WBC > 30"})json");
  ASSERT_TRUE(set);
  std::vector<std::uint32_t> fired;
  model::ResultSet s;
  s.observations = {result("WBC", 45), result("XYZ", 1)};
  EXPECT_EQ(set->evaluate({s.observations[0], s, nullptr}, fired), model::Verdict::Hold);
  EXPECT_EQ(fired, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(set->evaluate({s.observations[1], s, nullptr}, fired), model::Verdict::Release);
  EXPECT_EQ(fired, (std::vector<std::uint32_t>{0}));
  const auto trace = set->explain({s.observations[0], s, nullptr});
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_EQ(trace[1].rule->id, "wbc");
  EXPECT_EQ(trace[1].truth, Truth::True);
  EXPECT_EQ(trace[1].inputs[0], (std::pair<std::string, std::string>{"value", "45"}));
}

}  // namespace
}  // namespace hemalink::rules

namespace hemalink::rules {
namespace {

// A lab writes its own QC policy with qc_status, and tests it with cases that say what the gate
// says of each test.
TEST(RuleSetQcStatus, ALabsOwnQcPolicyIsDecidedAndTestedWithCases) {
  const auto rules = load(R"({"id": "release", "applies_to": ["*"], "when": "value >= 0",
                              "action": "release"},
                             {"id": "qc-out", "applies_to": ["*"], "when": "qc_status == \"out\"",
                              "action": "hold", "reason": "QC out"},
                             {"id": "qc-unknown-stat", "applies_to": ["PT_SEC"],
                              "when": "qc_status == \"unknown\" and value > 30",
                              "action": "hold", "reason": "long PT without QC"})");
  ASSERT_TRUE(rules);
  const auto cases = read_rule_cases(R"({"cases": [
    {"name": "out", "specimen": {"results": [{"code": "PT_SEC", "value": "12"},
                                             {"code": "APTT", "value": "30"}],
                                 "qc_status": {"PT_SEC": "out", "APTT": "in"}},
     "expect": {"PT_SEC": "hold", "APTT": "release"}},
    {"name": "unknown", "specimen": {"results": [{"code": "PT_SEC", "value": "35"}]},
     "expect": {"PT_SEC": "hold"}}
  ]})",
                                     "cases.json");
  ASSERT_TRUE(cases) << files::describe(cases.error(), "\n");
  for (const auto& c : *cases) {
    const auto outcome = run_case(*rules, c);
    EXPECT_TRUE(outcome.passed()) << c.name << ": " << outcome.mismatches.front();
  }
  const auto bad = read_rule_cases(R"({"cases": [{"name": "x", "specimen": {"results": [],
    "qc_status": {"PT_SEC": "rejected"}}, "expect": {}}]})",
                                   "cases.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(
      files::describe(bad.error(), "\n")
          .find("qc_status.PT_SEC: expected \"in\", \"out\" or \"unknown\", got \"rejected\""),
      std::string::npos)
      << files::describe(bad.error(), "\n");
}

}  // namespace
}  // namespace hemalink::rules
