#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {
namespace {

model::Observation result(std::string code, std::optional<double> numeric) {
  model::Observation o;
  o.code = std::move(code);
  o.numeric = numeric;
  o.value = numeric ? fmt::format("{}", *numeric) : "----";
  return o;
}

struct CountingHistory : ResultHistory {
  std::optional<double> previous(const model::ResultSet&, std::string_view code,
                                 double within_seconds) const override {
    if (code == "PLT" && within_seconds >= 72 * 3600)
      return 210;
    return std::nullopt;
  }
  std::optional<double> same_specimen(const model::ResultSet&,
                                      std::string_view code) const override {
    ++asked[std::string(code)];
    return code == "LYMPH_ABS" ? std::optional<double>(1.85) : std::nullopt;
  }
  mutable std::map<std::string, int> asked;
};

CompiledExpression compiled(const std::string& text) {
  auto c = CompiledExpression::compile(text);
  if (!c) {
    ADD_FAILURE() << text << ": " << c.error().detail;
    return *CompiledExpression::compile("false");
  }
  return *std::move(c);
}

// Every kind of read, and and/or/not over conditions that can and cannot be unknown.
const std::vector<std::string> kConditions = {
    "value < 20",
    "value < 20 and not is_rerun",
    "value > 440 or comparator == \">\"",
    "comparator != \"\"",
    "status == \"final\" and not is_qc and value >= 0",
    "status != \"preliminary\"",
    "not is_qc",
    "is_qc",
    "flag(\"Blasts?\") or flag(\"Left_Shift?\") or flag(\"W\")",
    "flag(\"PLT_Clumps?\")",
    "not (flag(\"PLT_Clumps?\") or flag(\"Blasts?\"))",
    "flag(\"Blasts?\") and value > 5",
    "has_result(\"HCT\") and result(\"HGB\") / result(\"HCT\") * 100 > 30",
    "has_result(\"MCV\") or result(\"MCV\") > 80",
    "result(\"MCV\") > 80 or value > 0",
    "result(\"MCV\") > 80 and value > 0",
    "not (result(\"MCV\") > 80)",
    "result(\"LYMPH_ABS\") * 1000 > 1000",
    "previous(72h) > 50 and abs(delta_pct(72h)) > 50",
    "has_previous(72h) and delta(72h) < -100",
    "has_previous(1h) or value == 12",
    "sex == \"F\" and age_years >= 18 and (value < 12.0 or value > 15.5)",
    "(sex == \"M\" or units == \"g/dL\") and text != \"\"",
    "true and (false or is_rerun or not is_rerun)",
    "min(value, 5) == 5 and max(value, 100) == 100 or pow(value, 2) > 1000",
};

class JoinedConditions : public ::testing::Test {
 protected:
  void SetUp() override {
    specimen.patient = model::Patient{"P1", "F", "19700101", 54.0};
    specimen.observations = {result("PLT", 12), result("HGB", 13.2), result("HCT", 40.0),
                             result("WBC", std::nullopt), result("RBC", 4.5)};
    specimen.observations[0].comparator = model::Comparator::Less;
    specimen.observations[1].units = "g/dL";
    specimen.observations[2].status = model::ResultStatus::Preliminary;
    specimen.observations[4].flags = {"W"};
    specimen.specimen_flags.push_back({"Blasts?", std::nullopt, true});
    specimen.specimen_flags.push_back({"PLT_Clumps?", std::nullopt, false});
    for (std::uint32_t i = 0; i < kConditions.size(); ++i) {
      expressions.push_back(compiled(kConditions[i]));
    }
    for (std::uint32_t i = 0; i < expressions.size(); ++i) {
      conditions.emplace_back(&expressions[i], 100 + i);
    }
  }

  // The rules the separate expressions say fire, for each result of the specimen.
  std::vector<std::uint32_t> one_by_one(const model::Observation& o) {
    std::vector<std::uint32_t> fired;
    for (std::uint32_t i = 0; i < expressions.size(); ++i) {
      if (expressions[i].evaluate({o, specimen, &history}) == Truth::True)
        fired.push_back(100 + i);
    }
    return fired;
  }

  model::ResultSet specimen;
  CountingHistory history;
  std::vector<CompiledExpression> expressions;
  std::vector<std::pair<const CompiledExpression*, std::uint32_t>> conditions;
};

// The threaded and the switch dispatch run the same handlers: the same truth for every condition
// alone and the same firings for the joined program, on every result.
TEST_F(JoinedConditions, BothDispatchesGiveTheSameVerdicts) {
  using Dispatch = CompiledExpression::Dispatch;
  FactNames names;
  const auto joined = CompiledExpression::join(conditions, names);
  SpecimenFacts facts;
  facts.gather(names, specimen);
  for (const auto& o : specimen.observations) {
    for (std::size_t i = 0; i < expressions.size(); ++i) {
      const auto truth = expressions[i].evaluate({o, specimen, &history});
      EXPECT_EQ(expressions[i].evaluate_for_test({o, specimen, &history}, Dispatch::Switch), truth)
          << kConditions[i] << " on " << o.code;
      if constexpr (CompiledExpression::kHasThreadedDispatch) {
        EXPECT_EQ(expressions[i].evaluate_for_test({o, specimen, &history}, Dispatch::Threaded),
                  truth)
            << kConditions[i] << " on " << o.code;
      }
    }
    std::vector<std::uint32_t> switched;
    joined.fire_for_test({o, specimen, &history, &facts}, switched, Dispatch::Switch);
    EXPECT_EQ(switched, one_by_one(o)) << o.code;
  }
}

TEST_F(JoinedConditions, FireExactlyTheRulesWhoseConditionsAreTrueWithOrWithoutFacts) {
  FactNames names;
  const auto joined = CompiledExpression::join(conditions, names);
  SpecimenFacts facts;
  facts.gather(names, specimen);
  for (const auto& o : specimen.observations) {
    const auto expected = one_by_one(o);
    std::vector<std::uint32_t> fired;
    joined.fire({o, specimen, &history, &facts}, fired);
    EXPECT_EQ(fired, expected) << o.code << " with facts";
    fired.clear();
    joined.fire({o, specimen, &history}, fired);
    EXPECT_EQ(fired, expected) << o.code << " searching";
  }
  // The cases are not all alike: some fire and some do not, on each result.
  const auto on_plt = one_by_one(specimen.observations[0]);
  EXPECT_GT(on_plt.size(), 5u);
  EXPECT_LT(on_plt.size(), kConditions.size() - 5);
}

TEST_F(JoinedConditions, AResultMissingFromTheSpecimenIsAskedOfTheHistoryOncePerSpecimen) {
  FactNames names;
  const auto joined = CompiledExpression::join(conditions, names);
  SpecimenFacts facts;
  facts.gather(names, specimen);
  std::vector<std::uint32_t> fired;
  for (const auto& o : specimen.observations) {
    joined.fire({o, specimen, &history, &facts}, fired);
  }
  EXPECT_EQ(history.asked["MCV"], 1);
  EXPECT_EQ(history.asked["LYMPH_ABS"], 1);

  facts.gather(names, specimen);  // the next specimen starts afresh
  joined.fire({specimen.observations[0], specimen, &history, &facts}, fired);
  EXPECT_EQ(history.asked["MCV"], 2);
}

TEST_F(JoinedConditions, FlagsPastTheSixtyFourWithBitsAreSearchedInstead) {
  std::vector<CompiledExpression> many;
  for (int i = 0; i < 70; ++i) {
    many.push_back(compiled(fmt::format("flag(\"F{}\")", i)));
  }
  many.push_back(compiled("flag(\"F1\") or flag(\"F69\")"));
  std::vector<std::pair<const CompiledExpression*, std::uint32_t>> list;
  for (std::uint32_t i = 0; i < many.size(); ++i) {
    list.emplace_back(&many[i], i);
  }
  FactNames names;
  const auto joined = CompiledExpression::join(list, names);
  EXPECT_EQ(names.flags().size(), FactNames::kMaxFlags);
  specimen.specimen_flags = {{"F3", std::nullopt, true}, {"F69", std::nullopt, true}};
  SpecimenFacts facts;
  facts.gather(names, specimen);
  std::vector<std::uint32_t> fired;
  joined.fire({specimen.observations[1], specimen, &history, &facts}, fired);
  EXPECT_EQ(fired, (std::vector<std::uint32_t>{3, 69, 70}));
}

TEST_F(JoinedConditions, AChainOfFlagsShowsEachFlagItRead) {
  const auto e = compiled("flag(\"Blasts?\") or flag(\"W\") or flag(\"PLT_Clumps?\")");
  using Inputs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(e.inputs({specimen.observations[4], specimen, &history}),
            (Inputs{{"flag(\"Blasts?\")", "true"},
                    {"flag(\"W\")", "true"},
                    {"flag(\"PLT_Clumps?\")", "false"}}));
}

}  // namespace
}  // namespace hemalink::rules
