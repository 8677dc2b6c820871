// Name resolution, type checking and code generation for rule expressions.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {

using Op = CompiledExpression::Op;

namespace {

enum class Type { Number, Text, Truth, Duration };

const char* describe(Type t) {
  switch (t) {
    case Type::Number:
      return "a number";
    case Type::Text:
      return "text";
    case Type::Truth:
      return "a condition";
    case Type::Duration:
      return "a duration";
  }
  return "?";
}

struct NameInfo {
  std::string_view name;
  Op op;
  Type type;
};

constexpr std::array<NameInfo, 14> kNames{{
    {"value", Op::Value, Type::Number},
    {"text", Op::Text, Type::Text},
    {"units", Op::Units, Type::Text},
    {"status", Op::Status, Type::Text},
    {"abnormal_flag", Op::AbnormalFlag, Type::Text},
    {"code", Op::Code, Type::Text},
    {"comparator", Op::ComparatorText, Type::Text},
    {"sex", Op::Sex, Type::Text},
    {"age_years", Op::AgeYears, Type::Number},
    {"reference_low", Op::ReferenceLow, Type::Number},
    {"reference_high", Op::ReferenceHigh, Type::Number},
    {"is_rerun", Op::IsRerun, Type::Truth},
    {"is_qc", Op::IsQc, Type::Truth},
    {"qc_status", Op::QcStatus, Type::Text},
}};

struct FunctionInfo {
  std::string_view name;
  Op op;
  std::vector<Type> parameters;
  Type result;
};

const std::vector<FunctionInfo>& functions() {
  static const std::vector<FunctionInfo> all = {
      {"result", Op::Result, {Type::Text}, Type::Number},
      {"has_result", Op::HasResult, {Type::Text}, Type::Truth},
      {"flag", Op::AnyFlag, {Type::Text}, Type::Truth},
      {"previous", Op::Previous, {Type::Duration}, Type::Number},
      {"delta", Op::Delta, {Type::Duration}, Type::Number},
      {"delta_pct", Op::DeltaPct, {Type::Duration}, Type::Number},
      {"has_previous", Op::HasPrevious, {Type::Duration}, Type::Truth},
      {"abs", Op::Abs, {Type::Number}, Type::Number},
      {"min", Op::Min, {Type::Number, Type::Number}, Type::Number},
      {"max", Op::Max, {Type::Number, Type::Number}, Type::Number},
      {"pow", Op::Pow, {Type::Number, Type::Number}, Type::Number},
  };
  return all;
}

// Functions whose argument must be written out (a test code, a flag name, a window): the
// compiled call carries it, so nothing is looked up by a computed name at evaluation.
bool takes_literal(Op op) {
  return op != Op::Abs && op != Op::Min && op != Op::Max && op != Op::Pow;
}

constexpr double kLongestWindowSeconds = 31 * 86400.0;  // rules::kHistoryHorizon

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds);
  if (s % 86400 == 0 && s / 86400 > 3)
    return fmt::format("{}d", s / 86400);
  if (s % 3600 == 0)
    return fmt::format("{}h", s / 3600);
  return fmt::format("{}m", s / 60);
}

template <typename List>
std::string names_of(const List& list) {
  std::string out;
  for (const auto& item : list)
    out.append(out.empty() ? "" : ", ").append(item.name);
  return out;
}

}  // namespace

class ExpressionCompiler {
 public:
  Result<CompiledExpression, ExpressionError> compile(const SyntaxNode& root,
                                                      CompiledExpression::Kind kind) {
    const auto type = emit(root, 1);
    const bool is_condition = kind == CompiledExpression::Kind::Condition;
    if (!error_ && type != (is_condition ? Type::Truth : Type::Number)) {
      fail(Errc::WrongType, root.at,
           is_condition
               ? fmt::format("a rule's condition must be true or false, but this is {}",
                             describe(type))
               : fmt::format("a calculation must give a number, but this is {}", describe(type)));
    }
    if (error_) {
      return *error_;
    }
    return std::move(out_);
  }

  static constexpr std::size_t kMaxStack = 64;

 private:
  // The first error is the one to show; the walk goes on (its types are guesses by then) and
  // compile() returns it.
  void fail(Errc code, TextPosition at, std::string message) {
    if (!error_)
      error_ = ExpressionError{code, std::move(message), at};
  }

  void push(Op op, std::uint32_t argument, std::size_t depth, TextPosition at,
            std::string label = {}) {
    if (depth > kMaxStack) {
      fail(Errc::TooDeep, at, "the expression is too deep to evaluate");
    }
    out_.program_.push_back({op, Op::None, FactNames::kNone, argument, 0});
    out_.labels_.push_back(std::move(label));
  }

  std::uint32_t number(double value) {
    out_.numbers_.push_back(value);
    return static_cast<std::uint32_t>(out_.numbers_.size() - 1);
  }

  std::uint32_t text(const std::string& value) {
    auto it = std::find(out_.texts_.begin(), out_.texts_.end(), value);
    if (it != out_.texts_.end())
      return static_cast<std::uint32_t>(it - out_.texts_.begin());
    out_.texts_.push_back(value);
    return static_cast<std::uint32_t>(out_.texts_.size() - 1);
  }

  // Emits code leaving the node's value on the stack at `depth`; returns its type.
  Type emit(const SyntaxNode& n, std::size_t depth) {
    if (error_)
      return Type::Truth;
    switch (n.kind) {
      case SyntaxNode::Kind::Number:
        push(Op::PushNumber, number(n.number), depth, n.at);
        return Type::Number;
      case SyntaxNode::Kind::String:
        push(Op::PushText, text(n.text), depth, n.at);
        return Type::Text;
      case SyntaxNode::Kind::Boolean:
        push(Op::PushTruth, n.number != 0 ? 1 : 0, depth, n.at);
        return Type::Truth;
      case SyntaxNode::Kind::Duration:
        fail(Errc::WrongType, n.at,
             "a duration is only a window for previous(), delta(), delta_pct() and "
             "has_previous()");
        return Type::Duration;
      case SyntaxNode::Kind::Name:
        return name(n, depth);
      case SyntaxNode::Kind::Call:
        return call(n, depth);
      case SyntaxNode::Kind::Unary:
        return unary(n, depth);
      case SyntaxNode::Kind::Binary:
        return binary(n, depth);
    }
    return Type::Truth;
  }

  Type name(const SyntaxNode& n, std::size_t depth) {
    for (const auto& known : kNames) {
      if (known.name == n.text) {
        push(known.op, 0, depth, n.at, n.text);
        return known.type;
      }
    }
    const auto& fs = functions();
    const bool is_function =
        std::any_of(fs.begin(), fs.end(), [&](const auto& f) { return f.name == n.text; });
    fail(Errc::UnknownName, n.at,
         is_function ? fmt::format("{} is a function: write {}(...)", n.text, n.text)
                     : fmt::format("unknown name \"{}\" (names: {}; functions: {})", n.text,
                                   names_of(kNames), names_of(functions())));
    return Type::Truth;
  }

  Type call(const SyntaxNode& n, std::size_t depth) {
    const auto& fs = functions();
    auto f = std::find_if(fs.begin(), fs.end(), [&](const auto& g) { return g.name == n.text; });
    if (f == fs.end()) {
      fail(Errc::UnknownName, n.at,
           fmt::format("unknown function \"{}\" (functions: {})", n.text, names_of(fs)));
      return Type::Truth;
    }
    if (n.operands.size() != f->parameters.size()) {
      fail(Errc::WrongArguments, n.at,
           fmt::format("{}() takes {} argument{}, not {}", f->name, f->parameters.size(),
                       f->parameters.size() == 1 ? "" : "s", n.operands.size()));
      return f->result;
    }
    if (takes_literal(f->op)) {
      const auto& arg = n.operands[0];
      const bool is_text = f->parameters[0] == Type::Text;
      const auto wanted = is_text ? SyntaxNode::Kind::String : SyntaxNode::Kind::Duration;
      if (arg.kind != wanted) {
        fail(Errc::WrongArguments, arg.at,
             fmt::format("{}() takes {}, written out ({})", f->name, describe(f->parameters[0]),
                         is_text ? "\"HGB\"" : "72h, 7d or 30m"));
        return f->result;
      }
      if (!is_text && arg.number > kLongestWindowSeconds) {
        fail(Errc::WrongArguments, arg.at,
             "a window is at most 31d: hemalink keeps 31 days of previous results");
        return f->result;
      }
      push(f->op, is_text ? text(arg.text) : number(arg.number), depth, n.at,
           is_text ? fmt::format("{}(\"{}\")", f->name, arg.text)
                   : fmt::format("{}({})", f->name, duration_text(arg.number)));
      if (f->op == Op::AnyFlag)
        out_.program_.back().constant = 1;  // flag("X"): a chain of one
      return f->result;
    }
    for (std::size_t i = 0; i < n.operands.size(); ++i) {
      const auto type = emit(n.operands[i], depth + i);
      if (type != f->parameters[i]) {
        fail(Errc::WrongType, n.operands[i].at,
             fmt::format("{}() takes {}, not {}", f->name, describe(f->parameters[i]),
                         describe(type)));
      }
    }
    push(f->op, 0, depth, n.at);
    return f->result;
  }

  Type unary(const SyntaxNode& n, std::size_t depth) {
    const auto type = emit(n.operands[0], depth);
    const bool is_not = n.text == "not";
    const Type wanted = is_not ? Type::Truth : Type::Number;
    if (type != wanted) {
      fail(Errc::WrongType, n.operands[0].at,
           fmt::format("\"{}\" takes {}, not {}", n.text, describe(wanted), describe(type)));
    }
    if (error_)
      return wanted;
    if (is_not) {
      negate(depth, n.at);
    } else {
      push(Op::Negate, 0, depth, n.at);
    }
    return wanted;
  }

  // `a and b`: when a is false the whole is false whatever b is, so b is skipped (and `or` when a
  // is true). Unknown still evaluates b: `unknown and false` is false. When a cannot be unknown,
  // the whole is b once a did not decide it: a is dropped and no And/Or follows.
  Type logical(const SyntaxNode& n, std::size_t depth) {
    const bool is_and = n.text == "and";
    std::vector<const SyntaxNode*> flags;
    if (!is_and && flag_chain(n, flags) && flags.size() <= kMaxChainedFlags)
      return any_flag(n, flags, depth);
    const auto left = emit(n.operands[0], depth);
    const bool decided = is_two_valued(n.operands[0]);
    const auto jump = out_.program_.size();
    const Op jump_op =
        decided ? (is_and ? Op::AndThen : Op::OrElse) : (is_and ? Op::JumpIfFalse : Op::JumpIfTrue);
    push(jump_op, 0, depth, n.at);
    const auto right = emit(n.operands[1], decided ? depth : depth + 1);
    if (error_)
      return Type::Truth;
    expect_both(n, left, right, Type::Truth);
    if (!decided)
      push(is_and ? Op::And : Op::Or, 0, depth, n.at);
    out_.program_[jump].argument = static_cast<std::uint32_t>(out_.program_.size());
    return Type::Truth;
  }

  static constexpr std::size_t kMaxChainedFlags = 64;

  // `flag("A") or flag("B") or ...`: one instruction reading every flag named.
  static bool flag_chain(const SyntaxNode& n, std::vector<const SyntaxNode*>& flags) {
    if (n.kind == SyntaxNode::Kind::Binary && n.text == "or") {
      return flag_chain(n.operands[0], flags) && flag_chain(n.operands[1], flags);
    }
    if (n.kind == SyntaxNode::Kind::Call && n.text == "flag" && n.operands.size() == 1 &&
        n.operands[0].kind == SyntaxNode::Kind::String) {
      flags.push_back(&n);
      return true;
    }
    return false;
  }

  Type any_flag(const SyntaxNode& n, const std::vector<const SyntaxNode*>& flags,
                std::size_t depth) {
    const auto first = static_cast<std::uint32_t>(out_.texts_.size());
    for (const auto* f : flags)
      out_.texts_.push_back(f->operands[0].text);
    push(Op::AnyFlag, first, depth, n.at);
    out_.program_.back().constant = static_cast<std::uint32_t>(flags.size());
    return Type::Truth;
  }

  // Conditions that are never unknown: flags, presence tests, is_qc, is_rerun, literals, text
  // comparisons, and their combinations.
  static bool is_two_valued(const SyntaxNode& n) {
    switch (n.kind) {
      case SyntaxNode::Kind::Boolean:
        return true;
      case SyntaxNode::Kind::Name:
        return n.text == "is_qc" || n.text == "is_rerun";
      case SyntaxNode::Kind::Call:
        return n.text == "flag" || n.text == "has_result" || n.text == "has_previous";
      case SyntaxNode::Kind::Unary:
        return n.text == "not" && is_two_valued(n.operands[0]);
      case SyntaxNode::Kind::Binary:
        if (n.text == "and" || n.text == "or")
          return is_two_valued(n.operands[0]) && is_two_valued(n.operands[1]);
        return (n.text == "==" || n.text == "!=") &&
               (n.operands[0].kind == SyntaxNode::Kind::String ||
                n.operands[1].kind == SyntaxNode::Kind::String);
      default:
        return false;
    }
  }

  // `status == "final"` and `comparator == ">"` compare the enum itself, and a status or a
  // comparator that does not exist is an error.
  std::optional<Type> enum_comparison(const SyntaxNode& n, std::size_t depth) {
    if ((n.text != "==" && n.text != "!=") || n.operands[0].kind != SyntaxNode::Kind::Name ||
        n.operands[1].kind != SyntaxNode::Kind::String) {
      return std::nullopt;
    }
    const auto& name = n.operands[0].text;
    const bool is_status = name == "status";
    const bool is_qc_status = name == "qc_status";
    if (!is_status && !is_qc_status && name != "comparator")
      return std::nullopt;
    // The enums count from 0: a word's index is the value the evaluator compares with.
    const auto count = is_status ? static_cast<std::uint32_t>(model::ResultStatus::CannotReport) + 1
                       : is_qc_status
                           ? static_cast<std::uint32_t>(records::GateStatus::Unknown) + 1
                           : static_cast<std::uint32_t>(model::Comparator::GreaterOrEqual) + 1;
    std::vector<std::string_view> words;
    for (std::uint32_t v = 0; v < count; ++v) {
      words.emplace_back(is_status      ? model::to_string(static_cast<model::ResultStatus>(v))
                         : is_qc_status ? records::to_string(static_cast<records::GateStatus>(v))
                                        : model::to_string(static_cast<model::Comparator>(v)));
    }
    const auto& wanted = n.operands[1].text;
    const auto it = std::find(words.begin(), words.end(), wanted);
    if (it == words.end()) {
      std::string choices;
      for (const auto w : words)
        choices.append(choices.empty() ? "" : ", ").append(fmt::format("\"{}\"", w));
      fail(Errc::WrongArguments, n.operands[1].at,
           fmt::format("a {} is one of {}, not \"{}\"", name, choices, wanted));
      return Type::Truth;
    }
    push(is_status      ? Op::StatusIs
         : is_qc_status ? Op::QcStatusIs
                        : Op::ComparatorIs,
         static_cast<std::uint32_t>(it - words.begin()), depth, n.at,
         fmt::format("{} == \"{}\"", name, wanted));
    if (n.text == "!=")
      negate(depth, n.at);
    return Type::Truth;
  }

  // `not` folds into a read of a condition (`not is_qc` is one instruction).
  void negate(std::size_t depth, TextPosition at) {
    auto& last = out_.program_.back();
    if (is_truth_read(last.op) && last.compare == Op::None) {
      last.compare = Op::Not;
      return;
    }
    push(Op::Not, 0, depth, at);
  }

  static bool is_truth_read(Op op) {
    return op == Op::StatusIs || op == Op::ComparatorIs || op == Op::QcStatusIs || op == Op::IsQc ||
           op == Op::IsRerun || op == Op::HasResult || op == Op::AnyFlag || op == Op::HasPrevious;
  }

  Type binary(const SyntaxNode& n, std::size_t depth) {
    if (n.text == "and" || n.text == "or")
      return logical(n, depth);
    if (auto compared = enum_comparison(n, depth))
      return *compared;
    const auto left = emit(n.operands[0], depth);
    const auto right = emit(n.operands[1], depth + 1);
    if (error_)
      return Type::Truth;
    const auto& op = n.text;
    if (op == "+" || op == "-" || op == "*" || op == "/") {
      expect_both(n, left, right, Type::Number);
      const Op code = op == "+"   ? Op::Add
                      : op == "-" ? Op::Subtract
                      : op == "*" ? Op::Multiply
                                  : Op::Divide;
      push(code, 0, depth, n.at);
      return Type::Number;
    }
    if (left != right) {
      fail(Errc::WrongType, n.at,
           fmt::format("cannot compare {} with {}", describe(left), describe(right)));
      return Type::Truth;
    }
    if (left == Type::Truth) {
      fail(Errc::WrongType, n.at, "conditions are combined with and, or and not, not compared");
      return Type::Truth;
    }
    if (left == Type::Text) {
      if (op != "==" && op != "!=") {
        fail(Errc::WrongType, n.at,
             fmt::format("{} can only be compared with == or !=", describe(left)));
      }
      push(op == "==" ? Op::TextEqual : Op::TextNotEqual, 0, depth, n.at);
      return Type::Truth;
    }
    const Op code = op == "<"    ? Op::Less
                    : op == "<=" ? Op::LessOrEqual
                    : op == ">"  ? Op::Greater
                    : op == ">=" ? Op::GreaterOrEqual
                    : op == "==" ? Op::Equal
                                 : Op::NotEqual;
    if (!fuse_with_constant(code)) {
      push(code, 0, depth, n.at);
    }
    return Type::Truth;
  }

  // A read compared with a number written out (`value < 20`, `result("HCT") > 0`) becomes one
  // instruction: most conditions are these, and each instruction costs a dispatch.
  bool fuse_with_constant(Op code) {
    auto& program = out_.program_;
    if (program.size() < 2 || program.back().op != Op::PushNumber)
      return false;
    auto& read = program[program.size() - 2];
    if (!is_number_read(read.op) || read.compare != Op::None)
      return false;
    read.compare = code;
    read.constant = program.back().argument;
    program.pop_back();
    out_.labels_.pop_back();
    return true;
  }

  static bool is_number_read(Op op) {
    return op == Op::Value || op == Op::AgeYears || op == Op::ReferenceLow ||
           op == Op::ReferenceHigh || op == Op::Result || op == Op::Previous || op == Op::Delta ||
           op == Op::DeltaPct;
  }

  void expect_both(const SyntaxNode& n, Type left, Type right, Type wanted) {
    for (std::size_t i = 0; i < 2; ++i) {
      const auto type = i == 0 ? left : right;
      if (type != wanted) {
        fail(Errc::WrongType, n.operands[i].at,
             fmt::format("\"{}\" takes {} on both sides, not {}", n.text, describe(wanted),
                         describe(type)));
      }
    }
  }

  CompiledExpression out_;
  std::optional<ExpressionError> error_;
};

Result<CompiledExpression, ExpressionError> CompiledExpression::compile(std::string_view text,
                                                                        Kind kind) {
  auto parsed = parse_expression(text);
  if (!parsed) {
    return parsed.error();
  }
  return ExpressionCompiler().compile(*parsed, kind);
}

}  // namespace hemalink::rules
