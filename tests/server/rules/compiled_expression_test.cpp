#include "server/rules/compiled_expression.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hemalink::rules {
namespace {

model::Observation result(std::string code, std::optional<double> numeric, std::string units = "") {
  model::Observation o;
  o.code = std::move(code);
  o.numeric = numeric;
  o.value = numeric ? std::to_string(*numeric) : "----";
  o.units = std::move(units);
  return o;
}

struct History : ResultHistory {
  std::optional<double> previous(const model::ResultSet&, std::string_view code,
                                 double within_seconds) const override {
    auto it = values.find(std::string(code));
    if (it == values.end() || it->second.second > within_seconds)
      return std::nullopt;
    return it->second.first;
  }
  std::optional<double> same_specimen(const model::ResultSet&,
                                      std::string_view code) const override {
    auto it = elsewhere.find(std::string(code));
    return it == elsewhere.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::map<std::string, std::pair<double, double>> values;  // code: value, seconds ago
  std::map<std::string, double> elsewhere;                  // same specimen, other analyzers
};

class Expressions : public ::testing::Test {
 protected:
  void SetUp() override {
    specimen.patient = model::Patient{"P1", "F", "19700101", 54.0};
    specimen.observations = {result("PLT", 12, "10*3/uL"), result("HGB", 13.2, "g/dL"),
                             result("HCT", 40.0, "%"), result("WBC", std::nullopt)};
    specimen.specimen_flags.push_back({"Blasts?", std::nullopt, true});
    specimen.specimen_flags.push_back({"PLT_Clumps?", std::nullopt, false});
    history.values["PLT"] = {210, 20 * 3600};
  }

  Truth when(const std::string& text, std::size_t on = 0) {
    auto compiled = CompiledExpression::compile(text);
    if (!compiled) {
      const auto& e = compiled.error();
      ADD_FAILURE() << text << ": " << e.at.line << ":" << e.at.column << " " << e.detail;
      return Truth::Unknown;
    }
    return compiled->evaluate({specimen.observations[on], specimen, &history});
  }

  ExpressionError error_of(const std::string& text) {
    auto compiled = CompiledExpression::compile(text);
    if (!compiled)
      return compiled.error();
    ADD_FAILURE() << text << " compiled";
    return {};
  }

  model::ResultSet specimen;
  History history;
};

TEST_F(Expressions, ComparisonsArithmeticAndLogic) {
  EXPECT_EQ(when("value < 20"), Truth::True);
  EXPECT_EQ(when("value >= 20 or units == \"10*3/uL\""), Truth::True);
  EXPECT_EQ(when("not (value < 20) and true"), Truth::False);
  EXPECT_EQ(when("result(\"HGB\") / result(\"HCT\") * 100 > 36.5"), Truth::False);
  EXPECT_EQ(when("-value + 2 * 6 == 0"), Truth::True);
  EXPECT_EQ(when("abs(value - 20) == 8 and min(value, 5) == 5 and max(1, 2) == 2"), Truth::True);
  EXPECT_EQ(when("code == \"PLT\" and code != \"HGB\""), Truth::True);
}

TEST_F(Expressions, PatientFlagsAndSpecimen) {
  EXPECT_EQ(when("sex == \"F\" and age_years > 50"), Truth::True);
  EXPECT_EQ(when("flag(\"Blasts?\")"), Truth::True);
  EXPECT_EQ(when("flag(\"PLT_Clumps?\")"), Truth::False) << "a negative flag is not raised";
  EXPECT_EQ(when("is_rerun or is_qc"), Truth::False);
  EXPECT_EQ(when("has_result(\"HGB\") and not has_result(\"MCV\")"), Truth::True);
}

TEST_F(Expressions, DeltaChecksReadTheHistoryWithinTheWindow) {
  EXPECT_EQ(when("previous(72h) == 210"), Truth::True);
  EXPECT_EQ(when("delta(72h) == -198"), Truth::True);
  EXPECT_EQ(when("delta_pct(3d) < -90"), Truth::True);
  EXPECT_EQ(when("has_previous(12h)"), Truth::False) << "the last one is 20 h old";
  EXPECT_EQ(when("delta(600m) < 0"), Truth::Unknown);
}

TEST_F(Expressions, MissingDataIsUnknownNeverTrue) {
  const std::size_t wbc = 3;  // a result without a number
  EXPECT_EQ(when("value > 1", wbc), Truth::Unknown);
  EXPECT_EQ(when("not (value > 1)", wbc), Truth::Unknown);
  EXPECT_EQ(when("value > 1 or true", wbc), Truth::True);
  EXPECT_EQ(when("value > 1 and false", wbc), Truth::False);
  EXPECT_EQ(when("result(\"MCV\") > 0"), Truth::Unknown);
  EXPECT_EQ(when("value / 0 > 1"), Truth::Unknown);
  EXPECT_EQ(when("text == \"----\"", wbc), Truth::True);
}

TEST_F(Expressions, ErrorsSayHowInARulesCode) {
  EXPECT_EQ(error_of("value > 1 $").code, Errc::Syntax);
  EXPECT_EQ(error_of("(value > 1").code, Errc::Syntax);
  EXPECT_EQ(error_of("colour == \"red\"").code, Errc::UnknownName);
  EXPECT_EQ(error_of("value > \"high\"").code, Errc::WrongType);
  EXPECT_EQ(error_of("value + 1").code, Errc::WrongType);
  EXPECT_EQ(error_of("max(1) > 0").code, Errc::WrongArguments);
  EXPECT_EQ(error_of("delta(32d) > 1").code, Errc::WrongArguments);
  EXPECT_EQ(error_of(std::string(200, '(') + "1" + std::string(200, ')') + " > 0").code,
            Errc::TooDeep);
}

TEST_F(Expressions, ErrorsNameLineColumnAndWhat) {
  auto e = error_of("value > 5 and\n  colour == \"red\"");
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.at.column, 3u);
  EXPECT_NE(e.detail.find("unknown name \"colour\""), std::string::npos) << e.detail;

  e = error_of("value > \"high\"");
  EXPECT_EQ(e.detail, "cannot compare a number with text");
  EXPECT_EQ(e.at.column, 7u);

  EXPECT_EQ(error_of("value + 1").detail,
            "a rule's condition must be true or false, but this is a number");
  EXPECT_EQ(error_of("result(code) > 1").detail, "result() takes text, written out (\"HGB\")");
  EXPECT_EQ(error_of("delta(72) > 1").detail,
            "delta() takes a duration, written out (72h, 7d or 30m)");
  EXPECT_EQ(error_of("1 < value < 5").detail,
            "comparisons do not chain: write (a < b) and (b < c)");
  EXPECT_EQ(error_of("(value > 1").detail,
            "expected ')' (to close line 1 column 1), found end of text");
  EXPECT_EQ(error_of("value > 1 $").detail, "unexpected character '$'");
  EXPECT_EQ(error_of("flag(\"Blasts?) ").detail, "a string is not closed (missing '\"')");
  EXPECT_EQ(error_of("max(1) > 0").detail, "max() takes 2 arguments, not 1");
  EXPECT_EQ(error_of("72x > 1").detail, "a duration ends in m, h or d, not \"x\"");
  EXPECT_NE(error_of("delta > 1").detail.find("delta is a function"), std::string::npos);
  EXPECT_EQ(error_of("delta(32d) > 1").detail,
            "a window is at most 31d: hemalink keeps 31 days of previous results");
  EXPECT_EQ(error_of("is_rerun == true").detail,
            "conditions are combined with and, or and not, not compared");
  EXPECT_EQ(error_of("comparator == \"=>\"").detail,
            "a comparator is one of \"\", \"<\", \"<=\", \">\", \">=\", not \"=>\"");
}

// qc_status reads what the QC gate says of the result's test: "in", "out" or "unknown".
TEST_F(Expressions, QcStatusIsTheGatesWordForTheResultsTest) {
  const auto compiled = CompiledExpression::compile("qc_status == \"out\"");
  ASSERT_TRUE(compiled);
  const auto text = CompiledExpression::compile("qc_status != \"in\" and value < 20");
  ASSERT_TRUE(text);
  const auto& plt = specimen.observations[0];
  for (const auto status :
       {records::GateStatus::In, records::GateStatus::Out, records::GateStatus::Unknown}) {
    const EvaluationInput in{plt, specimen, &history, nullptr, status};
    EXPECT_EQ(compiled->evaluate(in),
              status == records::GateStatus::Out ? Truth::True : Truth::False);
    EXPECT_EQ(text->evaluate(in), status == records::GateStatus::In ? Truth::False : Truth::True);
    const auto inputs = compiled->inputs(in);
    ASSERT_EQ(inputs.size(), 1U);
    EXPECT_EQ(inputs[0].second, status == records::GateStatus::Out ? "true" : "false");
  }
  EXPECT_EQ(when("qc_status == \"unknown\""), Truth::True) << "no QC said: unknown";
  EXPECT_EQ(error_of("qc_status == \"rejected\"").detail,
            "a qc_status is one of \"in\", \"out\", \"unknown\", not \"rejected\"");
}

TEST_F(Expressions, ResultsOfTheSameSpecimenFromOtherAnalyzersAndReruns) {
  EXPECT_EQ(when("has_result(\"LYMPH_ABS\")"), Truth::False);
  history.elsewhere["LYMPH_ABS"] = 1.8;
  EXPECT_EQ(when("result(\"LYMPH_ABS\") == 1.8 and has_result(\"LYMPH_ABS\")"), Truth::True);
  EXPECT_EQ(when("is_rerun"), Truth::False);
  history.elsewhere["PLT"] = 15;
  EXPECT_EQ(when("is_rerun"), Truth::True) << "this specimen already had a PLT";
  EXPECT_EQ(when("result(\"PLT\") == 12"), Truth::True) << "this message's own result wins";
}

TEST_F(Expressions, CalculationsGiveNumbersOrNothing) {
  auto number = [&](const std::string& text) -> std::optional<double> {
    auto compiled = CompiledExpression::compile(text, CompiledExpression::Kind::Number);
    if (!compiled) {
      ADD_FAILURE() << text << ": " << compiled.error().detail;
      return std::nullopt;
    }
    return compiled->evaluate_number({specimen.observations[0], specimen, &history});
  };
  EXPECT_DOUBLE_EQ(*number("result(\"HGB\") / result(\"HCT\") * 100"), 33.0);
  EXPECT_DOUBLE_EQ(*number("pow(value / 12, 1.5) * 8"), 8.0);
  EXPECT_FALSE(number("result(\"MCV\") * 2")) << "missing data gives no number";
  EXPECT_FALSE(number("pow(-8, 0.5)")) << "not a real number";
  EXPECT_FALSE(number("value / 0"));
  auto refused = CompiledExpression::compile("value > 1", CompiledExpression::Kind::Number);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "a calculation must give a number, but this is a condition");
}

TEST_F(Expressions, InputsShowWhatTheExpressionRead) {
  auto compiled = CompiledExpression::compile(
      "value < 20 and delta(72h) < -50 and sex == \"F\" and flag(\"Blasts?\") and "
      "result(\"MCV\") > 0 and comparator == \"\"");
  const auto& e = *compiled;
  using Inputs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(e.inputs({specimen.observations[0], specimen, &history}),
            (Inputs{{"value", "12"},
                    {"delta(72h)", "-198"},
                    {"sex", "\"F\""},
                    {"flag(\"Blasts?\")", "true"},
                    {"result(\"MCV\")", "missing"},
                    {"comparator == \"\"", "true"}}));
}

TEST_F(Expressions, HostileNestingIsRefusedNotOverflowed) {
  std::string deep(200, '(');
  deep += "true";
  deep += std::string(200, ')');
  EXPECT_EQ(error_of(deep).detail, "the expression is nested too deeply");
}

}  // namespace
}  // namespace hemalink::rules
