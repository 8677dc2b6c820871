#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "drivers/model/result_set.hpp"
#include "server/records/gate_status.hpp"
#include "server/rules/expression_ops.hpp"
#include "server/rules/expression_syntax.hpp"
#include "server/rules/reference_interval.hpp"

namespace hemalink::rules {

/// Three-valued: a condition over data that is not there (no previous result, a value that is
/// not a number, a division by zero) is Unknown, and a rule fires only on True. So missing data
/// never releases a result, and never holds one by accident either: rules that care test for it
/// (`has_previous(72h)`, `has_result("HGB")`).
enum class Truth : std::uint8_t { False, True, Unknown };

/// What hemalink already holds about a patient and a specimen: earlier results of the same
/// patient and test, for delta checks, and results of the same specimen that other analyzers (or
/// earlier messages) reported, for calculations across analyzers and rerun detection.
class ResultHistory {
 public:
  virtual ~ResultHistory() = default;
  /// The most recent numeric result of `code` for the specimen's patient from another specimen,
  /// at most `within_seconds` old; nullopt when there is none.
  virtual std::optional<double> previous(const model::ResultSet& specimen, std::string_view code,
                                         double within_seconds) const = 0;
  /// The most recent numeric result of `code` already reported for this specimen (same specimen
  /// ID), by this analyzer or another; nullopt when there is none.
  virtual std::optional<double> same_specimen(const model::ResultSet& specimen,
                                              std::string_view code) const = 0;
};

/// The result codes and flag names a rule set's conditions read, numbered once at load: a joined
/// program (CompiledExpression::join) reads them from SpecimenFacts by number instead of
/// searching the specimen for them result after result.
class FactNames {
 public:
  static constexpr std::uint16_t kNone = UINT16_MAX;
  static constexpr std::size_t kMaxFlags = 64;  ///< One bit each; flags past these are searched.

  std::uint16_t result_code(std::string_view code);
  std::uint16_t flag(std::string_view name);
  std::size_t result_codes() const { return result_codes_.size(); }
  const std::vector<std::string>& flags() const { return flags_; }

 private:
  std::vector<std::string> result_codes_;
  std::vector<std::string> flags_;
};

/// What the rules read of one specimen, gathered once for all of its results: which of the named
/// flags it carries, and the results of other tests, each searched for (in the specimen, then in
/// the history) the first time a rule reads it. Reused from specimen to specimen without
/// allocating once grown.
class SpecimenFacts {
 public:
  void gather(const FactNames& names, const model::ResultSet& specimen);

  bool has_any_flag(std::uint64_t mask) const { return (flags_ & mask) != 0; }

  struct Result {
    enum class State : std::uint8_t { Unread, Found, Missing };
    State state = State::Unread;
    double value = 0;
  };
  Result& result(std::uint16_t number) { return results_[number]; }

 private:
  std::vector<Result> results_;
  std::uint64_t flags_ = 0;
};

/// What an expression reads: the result being decided, its specimen, the history, and the
/// specimen's facts when the caller gathered them (see SpecimenFacts).
struct EvaluationInput {
  const model::Observation& result;
  const model::ResultSet& specimen;
  const ResultHistory* history = nullptr;
  SpecimenFacts* facts = nullptr;
  /// What the QC gate says of this result's test on its analyzer (`qc_status`).
  records::GateStatus qc_status = records::GateStatus::Unknown;
  /// The rule set's reference interval for this result, its patient's sex and age
  /// (`reference_low`, `reference_high`); nullptr when none applies.
  const ReferenceInterval* reference = nullptr;
};

/// A result is a rerun when the analyzer says so, or when its specimen already has a result of
/// the same test (a repeat the analyzer did not mark).
bool is_rerun(const EvaluationInput& input);

struct EvaluationSlot;  ///< One place on the evaluator's stack; defined with the evaluator.

/// A `when` expression resolved, type-checked and flattened into a stack program at load; it
/// evaluates with a fixed stack, without allocating or locking.
class CompiledExpression {
 public:
#define HL_RULE_OP_ENUMERATOR(op, handler) op,
  enum class Op : std::uint8_t { HL_RULE_OPS(HL_RULE_OP_ENUMERATOR) };
#undef HL_RULE_OP_ENUMERATOR
#define HL_RULE_OP_COUNT(op, handler) +1
  static constexpr std::size_t kOpCount = 0 HL_RULE_OPS(HL_RULE_OP_COUNT);
#undef HL_RULE_OP_COUNT

  /// How the evaluator goes from one instruction to the next: through a table of handler
  /// addresses (threaded, a GNU extension of GCC and Clang, the faster), or through one switch
  /// (portable). The build's choice (HEMALINK_RULES_SWITCH_DISPATCH) is what evaluate() uses;
  /// both are compiled where the compiler has the extension, so tests and the fuzz target can
  /// compare them.
  enum class Dispatch : std::uint8_t { Threaded, Switch };
  static constexpr bool kHasThreadedDispatch =
#if defined(__GNUC__)
      true;
#else
      false;
#endif
  static constexpr Dispatch kDispatch =
#if defined(HEMALINK_RULES_SWITCH_DISPATCH) || !defined(__GNUC__)
      Dispatch::Switch;
#else
      Dispatch::Threaded;
#endif

  struct Instruction {
    Op op;
    /// A comparison fused into a read (`value < 20` is one instruction): the comparison, and
    /// the index of its constant in numbers_; Not for a negated condition (`not is_qc`). None
    /// when the read is not fused.
    Op compare = Op::None;
    /// In a joined program: the number (FactNames) of the result code or flag read, or for
    /// AnyFlag the index of the flags' mask.
    std::uint16_t fact = FactNames::kNone;
    std::uint32_t argument = 0;  ///< Index into numbers_ or texts_, the truth pushed, or a target.
    std::uint32_t constant = 0;
  };

  /// What the whole expression must be: a rule's `when` condition, or a calculation's number.
  enum class Kind : std::uint8_t { Condition, Number };

  /// Resolves names, checks types (the whole expression must be of `kind`) and compiles.
  /// Errors name line and column.
  static Result<CompiledExpression, ExpressionError> compile(std::string_view text,
                                                             Kind kind = Kind::Condition);

  /// A condition's truth. Only for Kind::Condition.
  Truth evaluate(const EvaluationInput& input) const;
  /// The same, through the given dispatch (both must agree): for the tests and the fuzz target.
  Truth evaluate_for_test(const EvaluationInput& input, Dispatch dispatch) const;
  /// A calculation's value; nullopt when it reads missing data or is not finite. Only for
  /// Kind::Number.
  std::optional<double> evaluate_number(const EvaluationInput& input) const;

  /// Joins rules' conditions into one program that evaluates them all, in order, and numbers
  /// the result codes and flags they read in `names`. Each condition is paired with its rule.
  static CompiledExpression join(
      const std::vector<std::pair<const CompiledExpression*, std::uint32_t>>& conditions,
      FactNames& names);
  /// Runs a joined program: appends to `fired` the rule of each condition that is True.
  void fire(const EvaluationInput& input, std::vector<std::uint32_t>& fired) const;
  /// The same, through the given dispatch: for the tests and the fuzz target.
  void fire_for_test(const EvaluationInput& input, std::vector<std::uint32_t>& fired,
                     Dispatch dispatch) const;

  /// Each value the expression reads (`value`, `result("HGB")`, `delta(72h)`, ...) as written,
  /// with what it is for `input` ("12", "\"F\"", "missing"): what `rules explain` shows.
  std::vector<std::pair<std::string, std::string>> inputs(const EvaluationInput& input) const;

  /// True when it reads the patient's earlier results (previous, delta, delta_pct,
  /// has_previous): the result's code then needs the patient's history.
  bool reads_previous() const;
  /// True when it reads `qc_status`.
  bool reads_qc_status() const;
  /// True when it reads `reference_low` or `reference_high`.
  bool reads_reference() const;

  /// The texts the expression holds: the test codes it reads with result()/has_result(), flag
  /// names and string literals.
  const std::vector<std::string>& texts() const {
    return texts_;
  }

 private:
  friend class ExpressionCompiler;

  void run(const EvaluationInput& input, EvaluationSlot* stack,
           std::vector<std::uint32_t>* fired) const {
    run_with<kDispatch>(input, stack, fired);
  }
  void run_by(Dispatch dispatch, const EvaluationInput& input, EvaluationSlot* stack,
              std::vector<std::uint32_t>* fired) const;
  template <Dispatch kWith>
  void run_with(const EvaluationInput& input, EvaluationSlot* stack,
                std::vector<std::uint32_t>* fired) const;

  std::vector<Instruction> program_;
  std::vector<std::string> labels_;  ///< Per instruction: the source text of a read, else empty.
  std::vector<double> numbers_;
  std::vector<std::string> texts_;
  std::vector<std::uint64_t> masks_;  ///< In a joined program: FactNames flag bits, per AnyFlag.
};

}  // namespace hemalink::rules
