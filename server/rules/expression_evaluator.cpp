// The stack machine that runs a compiled rule expression: no allocation, no locks.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {

// Trivial on purpose: the stack is not initialised per evaluation. Every instruction writes the
// one field its (compile-time checked) type reads before anything reads it.
struct EvaluationSlot {
  double number;
  const char* text_data;  // a string_view's parts: string_view itself is not trivial
  std::size_t text_size;
  Truth truth;

  void set_text(std::string_view t) {
    text_data = t.data();
    text_size = t.size();
  }
  std::string_view text() const { return {text_data, text_size}; }
};
static_assert(std::is_trivially_default_constructible_v<EvaluationSlot>);

namespace {

using Slot = EvaluationSlot;
using Op = CompiledExpression::Op;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kStackSlots = 66;  // the compiler refuses programs deeper than 64

double number_or_missing(const std::optional<double>& n) {
  return n ? *n : kMissing;
}

Truth truth_of(bool b) {
  return b ? Truth::True : Truth::False;
}

[[gnu::always_inline]] inline Truth compare(double a, double b, CompiledExpression::Op op) {
  using Op = CompiledExpression::Op;
  if (std::isnan(a) || std::isnan(b)) {
    return Truth::Unknown;
  }
  switch (op) {
    case Op::Less:
      return truth_of(a < b);
    case Op::LessOrEqual:
      return truth_of(a <= b);
    case Op::Greater:
      return truth_of(a > b);
    case Op::GreaterOrEqual:
      return truth_of(a >= b);
    case Op::Equal:
      return truth_of(a == b);
    default:
      return truth_of(a != b);
  }
}

[[gnu::always_inline]] inline Truth negation(Truth t) {
  return t == Truth::Unknown ? Truth::Unknown : truth_of(t == Truth::False);
}

[[gnu::always_inline]] inline Truth kleene_and(Truth a, Truth b) {
  if (a == Truth::False || b == Truth::False)
    return Truth::False;
  return a == Truth::True && b == Truth::True ? Truth::True : Truth::Unknown;
}

[[gnu::always_inline]] inline Truth kleene_or(Truth a, Truth b) {
  if (a == Truth::True || b == Truth::True)
    return Truth::True;
  return a == Truth::False && b == Truth::False ? Truth::False : Truth::Unknown;
}

const core::Observation* find_result(const core::ResultSet& specimen, std::string_view code) {
  for (const auto& o : specimen.observations) {
    if (o.code == code)
      return &o;
  }
  return nullptr;
}

// A result of the specimen: from this message, else as another analyzer (or an earlier message)
// reported it for the same specimen ID.
double search_result(const EvaluationInput& in, std::string_view code, bool& found) {
  if (const auto* o = find_result(in.specimen, code)) {
    found = true;
    return number_or_missing(o->numeric);
  }
  const auto elsewhere =
      in.history != nullptr ? in.history->same_specimen(in.specimen, code) : std::nullopt;
  found = elsewhere.has_value();
  return number_or_missing(elsewhere);
}

// The same, searched once per specimen when the caller gathered its facts.
double result_of(const EvaluationInput& in, std::string_view code, std::uint16_t fact,
                 bool& found) {
  if (in.facts == nullptr || fact == FactNames::kNone)
    return search_result(in, code, found);
  auto& known = in.facts->result(fact);
  using State = SpecimenFacts::Result::State;
  if (known.state == State::Unread) {
    known.value = search_result(in, code, found);
    known.state = found ? State::Found : State::Missing;
  }
  found = known.state == State::Found;
  return known.value;
}

bool result_has_flag(const core::Observation& result, std::string_view name) {
  for (const auto& f : result.flags) {
    if (f == name)
      return true;
  }
  return false;
}

bool specimen_has_flag(const core::ResultSet& specimen, std::string_view name) {
  for (const auto& f : specimen.specimen_flags) {
    if (f.name == name && f.is_positive)
      return true;
  }
  return false;
}

// Any of `count` flags named from texts[first]; `mask` their bits in the gathered facts.
bool has_any_flag(const EvaluationInput& in, const std::string* names, std::uint32_t count,
                  const std::uint64_t* mask) {
  if (in.facts != nullptr && mask != nullptr && in.facts->has_any_flag(*mask))
    return true;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!in.result.flags.empty() && result_has_flag(in.result, names[i]))
      return true;
    if ((in.facts == nullptr || mask == nullptr) && specimen_has_flag(in.specimen, names[i]))
      return true;
  }
  return false;
}

bool has_flag(const EvaluationInput& in, std::string_view name, std::uint16_t fact) {
  if (result_has_flag(in.result, name))
    return true;
  if (in.facts != nullptr && fact != FactNames::kNone)
    return in.facts->has_flag(fact);
  return specimen_has_flag(in.specimen, name);
}

double previous_of(const EvaluationInput& in, double window) {
  if (in.history == nullptr) {
    return kMissing;
  }
  return number_or_missing(in.history->previous(in.specimen, in.result.code, window));
}

// Puts what a read instruction reads into `slot`; other instructions are not reads. Inlined into
// the evaluation loop: one switch, no call per instruction.
[[gnu::always_inline]] inline void load(const CompiledExpression::Instruction& instruction,
                                        const std::vector<double>& numbers,
                                        const std::vector<std::string>& texts,
                                        const std::vector<std::uint64_t>& masks,
                                        const EvaluationInput& in, Slot& slot) {
  const auto op = instruction.op;
  const auto fact = instruction.fact;
  const auto argument = instruction.argument;
  bool found = false;
  switch (op) {
    case Op::Value:
      slot.number = number_or_missing(in.result.numeric);
      return;
    case Op::Text:
      slot.set_text(in.result.value);
      return;
    case Op::Units:
      slot.set_text(in.result.units);
      return;
    case Op::Status:
      slot.set_text(core::to_string(in.result.status));
      return;
    case Op::StatusIs:
      slot.truth = truth_of(static_cast<std::uint32_t>(in.result.status) == argument);
      return;
    case Op::ComparatorIs:
      slot.truth = truth_of(static_cast<std::uint32_t>(in.result.comparator) == argument);
      return;
    case Op::AbnormalFlag:
      slot.set_text(in.result.abnormal_flag);
      return;
    case Op::Code:
      slot.set_text(in.result.code);
      return;
    case Op::ComparatorText:
      slot.set_text(core::to_string(in.result.comparator));
      return;
    case Op::Sex:
      slot.set_text(in.specimen.patient ? std::string_view(in.specimen.patient->sex) : "");
      return;
    case Op::AgeYears:
      slot.number =
          in.specimen.patient ? number_or_missing(in.specimen.patient->age_years) : kMissing;
      return;
    case Op::IsRerun:
      slot.truth = truth_of(is_rerun(in));
      return;
    case Op::IsQc:
      slot.truth = truth_of(in.specimen.kind == core::SpecimenKind::QualityControl);
      return;
    case Op::Result:
      slot.number = result_of(in, texts[argument], fact, found);
      return;
    case Op::HasResult:
      result_of(in, texts[argument], fact, found);
      slot.truth = truth_of(found);
      return;
    case Op::Flag:
      slot.truth = truth_of(has_flag(in, texts[argument], fact));
      return;
    case Op::AnyFlag:
      slot.truth = truth_of(has_any_flag(in, &texts[argument], instruction.constant,
                                         fact == FactNames::kNone ? nullptr : &masks[fact]));
      return;
    case Op::Previous:
      slot.number = previous_of(in, numbers[argument]);
      return;
    case Op::Delta:
      slot.number = number_or_missing(in.result.numeric) - previous_of(in, numbers[argument]);
      return;
    case Op::DeltaPct: {
      const double previous = previous_of(in, numbers[argument]);
      const double value = number_or_missing(in.result.numeric);
      slot.number = previous == 0 ? kMissing : 100.0 * (value - previous) / std::fabs(previous);
      return;
    }
    case Op::HasPrevious:
      slot.truth = truth_of(!std::isnan(previous_of(in, numbers[argument])));
      return;
    default:
      return;
  }
}

enum class LoadType { None, Number, Text, Truth };

LoadType load_type(Op op) {
  switch (op) {
    case Op::Value:
    case Op::AgeYears:
    case Op::Result:
    case Op::Previous:
    case Op::Delta:
    case Op::DeltaPct:
      return LoadType::Number;
    case Op::Text:
    case Op::Units:
    case Op::Status:
    case Op::AbnormalFlag:
    case Op::Code:
    case Op::ComparatorText:
    case Op::Sex:
      return LoadType::Text;
    case Op::IsRerun:
    case Op::IsQc:
    case Op::StatusIs:
    case Op::ComparatorIs:
    case Op::AnyFlag:
    case Op::HasResult:
    case Op::Flag:
    case Op::HasPrevious:
      return LoadType::Truth;
    default:
      return LoadType::None;
  }
}

std::string shown(LoadType type, const Slot& slot) {
  switch (type) {
    case LoadType::Number:
      return std::isnan(slot.number) ? "missing" : fmt::format("{:g}", slot.number);
    case LoadType::Text:
      return fmt::format("\"{}\"", slot.text());
    default:
      return slot.truth == Truth::True ? "true" : "false";
  }
}

// Arithmetic and text comparison (the logic and numeric comparisons are in the loop itself).
[[gnu::always_inline]] inline void operate(Op op, Slot* a, Slot* b) {
  switch (op) {
    case Op::Abs:
      b->number = std::fabs(b->number);
      break;
    case Op::Negate:
      b->number = -b->number;
      break;
    case Op::Min:
    case Op::Max:
      a->number = std::isnan(a->number) || std::isnan(b->number) ? kMissing
                  : op == Op::Min                                ? std::min(a->number, b->number)
                                                                 : std::max(a->number, b->number);
      break;
    case Op::Pow: {
      const double p = std::pow(a->number, b->number);
      a->number = std::isfinite(p) ? p : kMissing;
      break;
    }
    case Op::Add:
      a->number += b->number;
      break;
    case Op::Subtract:
      a->number -= b->number;
      break;
    case Op::Multiply:
      a->number *= b->number;
      break;
    case Op::Divide:
      a->number = b->number == 0 ? kMissing : a->number / b->number;
      break;
    case Op::TextEqual:
    case Op::TextNotEqual:
      a->truth = truth_of((a->text() == b->text()) == (op == Op::TextEqual));
      break;
    default:
      break;
  }
}

}  // namespace

bool is_rerun(const EvaluationInput& in) {
  return in.specimen.is_rerun ||
         (in.history != nullptr && in.history->same_specimen(in.specimen, in.result.code));
}

void CompiledExpression::run(const EvaluationInput& in, EvaluationSlot* stack,
                             std::vector<std::uint32_t>* fired) const {
  std::size_t top = 0;  // next free slot
  const auto* program = program_.data();
  const std::size_t size = program_.size();
  for (std::size_t pc = 0; pc < size; ++pc) {
    const auto& instruction = program[pc];
    const auto [op, fused, fact, argument, constant] = instruction;
    Slot& slot = stack[top];
    switch (op) {
      case Op::Fire:
        if (stack[0].truth == Truth::True)
          fired->push_back(argument);
        top = 0;
        break;
      case Op::PushNumber:
        slot.number = numbers_[argument];
        ++top;
        break;
      case Op::PushText:
        slot.set_text(texts_[argument]);
        ++top;
        break;
      case Op::PushTruth:
        slot.truth = argument != 0 ? Truth::True : Truth::False;
        ++top;
        break;
      case Op::JumpIfFalse:
      case Op::JumpIfTrue:
        if (stack[top - 1].truth == (op == Op::JumpIfFalse ? Truth::False : Truth::True))
          pc = argument - 1;
        break;
      case Op::AndThen:
      case Op::OrElse:
        if (stack[top - 1].truth == (op == Op::AndThen ? Truth::False : Truth::True)) {
          pc = argument - 1;
        } else {
          --top;
        }
        break;
      case Op::Not:
        stack[top - 1].truth = negation(stack[top - 1].truth);
        break;
      case Op::And:
        stack[top - 2].truth = kleene_and(stack[top - 2].truth, stack[top - 1].truth);
        --top;
        break;
      case Op::Or:
        stack[top - 2].truth = kleene_or(stack[top - 2].truth, stack[top - 1].truth);
        --top;
        break;
      case Op::Less:
      case Op::LessOrEqual:
      case Op::Greater:
      case Op::GreaterOrEqual:
      case Op::Equal:
      case Op::NotEqual:
        stack[top - 2].truth = compare(stack[top - 2].number, stack[top - 1].number, op);
        --top;
        break;
      case Op::Abs:
      case Op::Negate:
        operate(op, nullptr, &stack[top - 1]);
        break;
      case Op::Min:
      case Op::Max:
      case Op::Pow:
      case Op::Add:
      case Op::Subtract:
      case Op::Multiply:
      case Op::Divide:
      case Op::TextEqual:
      case Op::TextNotEqual:
        operate(op, &stack[top - 2], &stack[top - 1]);
        --top;
        break;
      default:  // a read
        load(instruction, numbers_, texts_, masks_, in, slot);
        if (fused == Op::Not) {
          slot.truth = negation(slot.truth);
        } else if (fused != Op::None) {
          slot.truth = compare(slot.number, numbers_[constant], fused);
        }
        ++top;
    }
  }
}

Truth CompiledExpression::evaluate(const EvaluationInput& in) const {
  std::array<Slot, kStackSlots> stack;
  run(in, stack.data(), nullptr);
  return stack[0].truth;
}

void CompiledExpression::fire(const EvaluationInput& in, std::vector<std::uint32_t>& fired) const {
  std::array<Slot, kStackSlots> stack;
  run(in, stack.data(), &fired);
}

std::optional<double> CompiledExpression::evaluate_number(const EvaluationInput& in) const {
  std::array<Slot, kStackSlots> stack;
  run(in, stack.data(), nullptr);
  const double n = stack[0].number;
  return std::isfinite(n) ? std::optional<double>(n) : std::nullopt;
}

std::vector<std::pair<std::string, std::string>> CompiledExpression::inputs(
    const EvaluationInput& in) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < program_.size(); ++i) {
    const auto& instruction = program_[i];
    if (instruction.op == Op::AnyFlag) {
      for (std::uint32_t f = 0; f < instruction.constant; ++f) {
        const auto& name = texts_[instruction.argument + f];
        out.emplace_back(fmt::format("flag(\"{}\")", name),
                         has_any_flag(in, &name, 1, nullptr) ? "true" : "false");
      }
      continue;
    }
    const auto type = load_type(instruction.op);
    if (type == LoadType::None || labels_[i].empty()) {
      continue;
    }
    Slot slot{};
    load(instruction, numbers_, texts_, masks_, in, slot);
    out.emplace_back(labels_[i], shown(type, slot));
  }
  return out;
}

}  // namespace hemalink::rules
