// Rule expressions on arbitrary text: they compile or fail with a position inside the text, what
// compiles evaluates to a truth value without reading outside its stack, the threaded and the
// switch dispatch of the evaluator agree, and a condition joined into a rule set's program (twice,
// with and without the specimen's facts) fires exactly when it is true on its own, through both.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "server/rules/compiled_expression.hpp"
#include "tests/fuzz/fuzz_bug.hpp"

using namespace hemalink;
using namespace hemalink::rules;
using Dispatch = CompiledExpression::Dispatch;

namespace {

struct NoHistory final : ResultHistory {
  std::optional<double> previous(const model::ResultSet&, std::string_view code,
                                 double) const override {
    return code.size() % 2 == 0 ? std::optional<double>(42.0) : std::nullopt;
  }
  std::optional<double> same_specimen(const model::ResultSet&,
                                      std::string_view code) const override {
    return code == "LYMPH_ABS" ? std::optional<double>(1.5) : std::nullopt;
  }
};

model::ResultSet specimen() {
  model::ResultSet s;
  s.patient = model::Patient{"P", "M", "19800101", 45.0};
  model::Observation plt;
  plt.code = "PLT";
  plt.value = "12";
  plt.numeric = 12;
  model::Observation wbc;
  wbc.code = "WBC";
  wbc.value = "----";
  s.observations = {plt, wbc};
  s.specimen_flags.push_back({"Blasts?", std::nullopt, true});
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const model::ResultSet s = specimen();
  static const NoHistory history;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto kind : {CompiledExpression::Kind::Condition, CompiledExpression::Kind::Number}) {
    auto compiled = CompiledExpression::compile(text, kind);
    if (!compiled) {
      const auto& error = compiled.error();
      HL_FUZZ_CHECK(!error.detail.empty());
      HL_FUZZ_CHECK(error.code.category() == make_error_code(Errc::Syntax).category());
      HL_FUZZ_CHECK(error.at.line >= 1 && error.at.column >= 1);
      HL_FUZZ_CHECK(error.at.line <= size + 1 && error.at.column <= size + 1);
      continue;
    }
    const auto& expression = *compiled;
    FactNames names;
    const auto joined = CompiledExpression::join({{&expression, 7}, {&expression, 9}}, names);
    SpecimenFacts facts;
    facts.gather(names, s);
    for (const auto& o : s.observations) {
      const EvaluationInput in{o, s, &history};
      if (kind == CompiledExpression::Kind::Condition) {
        const auto truth = expression.evaluate(in);
        HL_FUZZ_CHECK(truth == Truth::True || truth == Truth::False || truth == Truth::Unknown);
        HL_FUZZ_CHECK(expression.evaluate_for_test(in, Dispatch::Switch) == truth);
        if constexpr (CompiledExpression::kHasThreadedDispatch) {
          HL_FUZZ_CHECK(expression.evaluate_for_test(in, Dispatch::Threaded) == truth);
        }
        const std::vector<std::uint32_t> expected =
            truth == Truth::True ? std::vector<std::uint32_t>{7, 9} : std::vector<std::uint32_t>{};
        std::vector<std::uint32_t> fired;
        joined.fire({o, s, &history, &facts}, fired);
        HL_FUZZ_CHECK(fired == expected);
        fired.clear();
        joined.fire(in, fired);
        HL_FUZZ_CHECK(fired == expected);
        fired.clear();
        joined.fire_for_test({o, s, &history, &facts}, fired, Dispatch::Switch);
        HL_FUZZ_CHECK(fired == expected);
      } else if (const auto n = expression.evaluate_number(in)) {
        HL_FUZZ_CHECK(std::isfinite(*n));
      }
      for (const auto& [label, shown] : expression.inputs(in)) {
        HL_FUZZ_CHECK(!label.empty() && !shown.empty());
      }
    }
  }
  return 0;
}
