// The stack machine that runs a compiled rule expression: no allocation, no locks.
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kStackSlots = 66;  // the compiler refuses programs deeper than 64

// Trivial on purpose: the stack is not initialised per evaluation. Every instruction writes the
// one field its (compile-time checked) type reads before anything reads it.
struct Slot {
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
static_assert(std::is_trivially_default_constructible_v<Slot>);

double number_or_missing(const std::optional<double>& n) {
  return n ? *n : kMissing;
}

Truth truth_of(bool b) {
  return b ? Truth::True : Truth::False;
}

Truth compare(double a, double b, CompiledExpression::Op op) {
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

Truth kleene_and(Truth a, Truth b) {
  if (a == Truth::False || b == Truth::False)
    return Truth::False;
  return a == Truth::True && b == Truth::True ? Truth::True : Truth::Unknown;
}

Truth kleene_or(Truth a, Truth b) {
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

bool has_flag(const EvaluationInput& in, std::string_view name) {
  for (const auto& f : in.result.flags) {
    if (f == name)
      return true;
  }
  for (const auto& f : in.specimen.specimen_flags) {
    if (f.name == name && f.is_positive)
      return true;
  }
  return false;
}

double previous_of(const EvaluationInput& in, double window) {
  if (in.history == nullptr) {
    return kMissing;
  }
  return number_or_missing(in.history->previous(in.specimen, in.result.code, window));
}

}  // namespace

Truth CompiledExpression::evaluate(const EvaluationInput& in) const {
  std::array<Slot, kStackSlots> stack;
  std::size_t top = 0;  // next free slot
  const auto value = number_or_missing(in.result.numeric);
  for (const auto& [op, argument] : program_) {
    Slot& slot = stack[top];
    Slot* a = top >= 2 ? &stack[top - 2] : nullptr;  // left operand of a binary op
    const Slot* b = top >= 1 ? &stack[top - 1] : nullptr;
    switch (op) {
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
      case Op::Value:
        slot.number = value;
        ++top;
        break;
      case Op::Text:
        slot.set_text(in.result.value);
        ++top;
        break;
      case Op::Units:
        slot.set_text(in.result.units);
        ++top;
        break;
      case Op::Status:
        slot.set_text(core::to_string(in.result.status));
        ++top;
        break;
      case Op::AbnormalFlag:
        slot.set_text(in.result.abnormal_flag);
        ++top;
        break;
      case Op::Code:
        slot.set_text(in.result.code);
        ++top;
        break;
      case Op::Sex:
        slot.set_text(in.specimen.patient ? std::string_view(in.specimen.patient->sex) : "");
        ++top;
        break;
      case Op::AgeYears:
        slot.number =
            in.specimen.patient ? number_or_missing(in.specimen.patient->age_years) : kMissing;
        ++top;
        break;
      case Op::IsRerun:
        slot.truth = truth_of(in.specimen.is_rerun);
        ++top;
        break;
      case Op::IsQc:
        slot.truth = truth_of(in.specimen.kind == core::SpecimenKind::QualityControl);
        ++top;
        break;
      case Op::Result: {
        const auto* o = find_result(in.specimen, texts_[argument]);
        slot.number = o ? number_or_missing(o->numeric) : kMissing;
        ++top;
        break;
      }
      case Op::HasResult:
        slot.truth = truth_of(find_result(in.specimen, texts_[argument]) != nullptr);
        ++top;
        break;
      case Op::Flag:
        slot.truth = truth_of(has_flag(in, texts_[argument]));
        ++top;
        break;
      case Op::Previous:
        slot.number = previous_of(in, numbers_[argument]);
        ++top;
        break;
      case Op::Delta:
        slot.number = value - previous_of(in, numbers_[argument]);
        ++top;
        break;
      case Op::DeltaPct: {
        const double previous = previous_of(in, numbers_[argument]);
        slot.number = previous == 0 ? kMissing : 100.0 * (value - previous) / std::fabs(previous);
        ++top;
        break;
      }
      case Op::HasPrevious:
        slot.truth = truth_of(!std::isnan(previous_of(in, numbers_[argument])));
        ++top;
        break;
      case Op::Abs:
        stack[top - 1].number = std::fabs(b->number);
        break;
      case Op::Negate:
        stack[top - 1].number = -b->number;
        break;
      case Op::Not:
        stack[top - 1].truth =
            b->truth == Truth::Unknown ? Truth::Unknown : truth_of(b->truth == Truth::False);
        break;
      case Op::Min:
      case Op::Max:
        a->number = std::isnan(a->number) || std::isnan(b->number) ? kMissing
                    : op == Op::Min                                ? std::min(a->number, b->number)
                                                                   : std::max(a->number, b->number);
        --top;
        break;
      case Op::Add:
        a->number += b->number;
        --top;
        break;
      case Op::Subtract:
        a->number -= b->number;
        --top;
        break;
      case Op::Multiply:
        a->number *= b->number;
        --top;
        break;
      case Op::Divide:
        a->number = b->number == 0 ? kMissing : a->number / b->number;
        --top;
        break;
      case Op::Less:
      case Op::LessOrEqual:
      case Op::Greater:
      case Op::GreaterOrEqual:
      case Op::Equal:
      case Op::NotEqual:
        a->truth = compare(a->number, b->number, op);
        --top;
        break;
      case Op::TextEqual:
      case Op::TextNotEqual:
        a->truth = truth_of((a->text() == b->text()) == (op == Op::TextEqual));
        --top;
        break;
      case Op::And:
        a->truth = kleene_and(a->truth, b->truth);
        --top;
        break;
      case Op::Or:
        a->truth = kleene_or(a->truth, b->truth);
        --top;
        break;
    }
  }
  return stack[0].truth;
}

}  // namespace hemalink::rules
