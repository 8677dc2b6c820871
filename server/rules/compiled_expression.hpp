#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/core/result_set.hpp"
#include "server/rules/expression_syntax.hpp"

namespace hemalink::rules {

/// Three-valued: a condition over data that is not there (no previous result, a value that is
/// not a number, a division by zero) is Unknown, and a rule fires only on True. So missing data
/// never releases a result, and never holds one by accident either: rules that care test for it
/// (`has_previous(72h)`, `has_result("HGB")`).
enum class Truth : std::uint8_t { False, True, Unknown };

/// Earlier results of the same patient and test, for delta checks.
class PreviousResults {
 public:
  virtual ~PreviousResults() = default;
  /// The most recent numeric result of `code` for the specimen's patient, at most
  /// `within_seconds` before it; nullopt when there is none.
  virtual std::optional<double> previous(const core::ResultSet& specimen, std::string_view code,
                                         double within_seconds) const = 0;
};

/// What an expression reads: the result being decided, its specimen, and the history.
struct EvaluationInput {
  const core::Observation& result;
  const core::ResultSet& specimen;
  const PreviousResults* history = nullptr;
};

/// A `when` expression resolved, type-checked and flattened into a stack program at load; it
/// evaluates with a fixed stack, without allocating or locking.
class CompiledExpression {
 public:
  enum class Op : std::uint8_t {
    PushNumber,
    PushText,
    PushTruth,
    Value,
    Text,
    Units,
    Status,
    AbnormalFlag,
    Code,
    Sex,
    AgeYears,
    IsRerun,
    IsQc,
    Result,
    HasResult,
    Flag,
    Previous,
    Delta,
    DeltaPct,
    HasPrevious,
    Abs,
    Min,
    Max,
    Negate,
    Not,
    Add,
    Subtract,
    Multiply,
    Divide,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    TextEqual,
    TextNotEqual,
    And,
    Or,
  };
  struct Instruction {
    Op op;
    std::uint32_t argument;  ///< Index into numbers_ or texts_, or the truth pushed.
  };

  /// Resolves names, checks types (the whole expression must be a condition) and compiles.
  /// Errors name line and column.
  static std::variant<CompiledExpression, ExpressionError> compile(std::string_view text);

  Truth evaluate(const EvaluationInput& input) const;

  /// The test codes the expression reads with result()/has_result(), for indexing.
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  friend class ExpressionCompiler;

  std::vector<Instruction> program_;
  std::vector<double> numbers_;
  std::vector<std::string> texts_;
};

}  // namespace hemalink::rules
