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

// Per comparison, which of less (bit 0), equal (bit 1) and greater (bit 2) make it true: a
// comparison is then a table lookup and a shift, with no branch on the operator.
constexpr std::array<std::uint8_t, 64> kOutcomes = [] {
  std::array<std::uint8_t, 64> t{};
  t[static_cast<std::size_t>(Op::Less)] = 0b001;
  t[static_cast<std::size_t>(Op::LessOrEqual)] = 0b011;
  t[static_cast<std::size_t>(Op::Greater)] = 0b100;
  t[static_cast<std::size_t>(Op::GreaterOrEqual)] = 0b110;
  t[static_cast<std::size_t>(Op::Equal)] = 0b010;
  t[static_cast<std::size_t>(Op::NotEqual)] = 0b101;
  return t;
}();
static_assert(static_cast<std::size_t>(Op::Fire) < 64);

[[gnu::always_inline]] inline Truth compare(double a, double b, Op op) {
  if (std::isnan(a) || std::isnan(b)) {
    return Truth::Unknown;
  }
  const unsigned outcome = static_cast<unsigned>((a > b) - (a < b) + 1);
  return truth_of(((kOutcomes[static_cast<std::size_t>(op)] >> outcome) & 1U) != 0);
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

// Two operands into the first: arithmetic, and text comparison. Rare in conditions, so a second
// dispatch here costs little.
inline void arithmetic(Op op, Slot& a, const Slot& b) {
  switch (op) {
    case Op::Min:
    case Op::Max:
      a.number = std::isnan(a.number) || std::isnan(b.number) ? kMissing
                 : op == Op::Min                              ? std::min(a.number, b.number)
                                                              : std::max(a.number, b.number);
      break;
    case Op::Pow: {
      const double p = std::pow(a.number, b.number);
      a.number = std::isfinite(p) ? p : kMissing;
      break;
    }
    case Op::Add:
      a.number += b.number;
      break;
    case Op::Subtract:
      a.number -= b.number;
      break;
    case Op::Multiply:
      a.number *= b.number;
      break;
    case Op::Divide:
      a.number = b.number == 0 ? kMissing : a.number / b.number;
      break;
    case Op::TextEqual:
    case Op::TextNotEqual:
      a.truth = truth_of((a.text() == b.text()) == (op == Op::TextEqual));
      break;
    default:
      break;
  }
}

// One evaluation under way: the program's constants, what it reads, and its stack.
struct Machine {
  const std::vector<double>& numbers;
  const std::vector<std::string>& texts;
  const std::vector<std::uint64_t>& masks;
  const EvaluationInput& in;
  Slot* stack;
  std::size_t top = 0;  ///< The next free slot.
  std::size_t pc = 0;   ///< The instruction being run.
  std::vector<std::uint32_t>* fired = nullptr;
};

// Runs one instruction. Every op is a case of this one switch, reads included, so an instruction
// costs one dispatch; a read then goes on to the comparison fused into it, if any.
[[gnu::always_inline]] inline void step(Machine& m, const CompiledExpression::Instruction& i) {
  const auto& in = m.in;
  Slot* stack = m.stack;
  Slot& slot = stack[m.top];
  bool found = false;
  switch (i.op) {
    case Op::Value:
      slot.number = number_or_missing(in.result.numeric);
      break;
    case Op::Text:
      slot.set_text(in.result.value);
      break;
    case Op::Units:
      slot.set_text(in.result.units);
      break;
    case Op::Status:
      slot.set_text(core::to_string(in.result.status));
      break;
    case Op::StatusIs:
      slot.truth = truth_of(static_cast<std::uint32_t>(in.result.status) == i.argument);
      break;
    case Op::ComparatorIs:
      slot.truth = truth_of(static_cast<std::uint32_t>(in.result.comparator) == i.argument);
      break;
    case Op::AbnormalFlag:
      slot.set_text(in.result.abnormal_flag);
      break;
    case Op::Code:
      slot.set_text(in.result.code);
      break;
    case Op::ComparatorText:
      slot.set_text(core::to_string(in.result.comparator));
      break;
    case Op::Sex:
      slot.set_text(in.specimen.patient ? std::string_view(in.specimen.patient->sex) : "");
      break;
    case Op::AgeYears:
      slot.number =
          in.specimen.patient ? number_or_missing(in.specimen.patient->age_years) : kMissing;
      break;
    case Op::IsRerun:
      slot.truth = truth_of(is_rerun(in));
      break;
    case Op::IsQc:
      slot.truth = truth_of(in.specimen.kind == core::SpecimenKind::QualityControl);
      break;
    case Op::Result:
      slot.number = result_of(in, m.texts[i.argument], i.fact, found);
      break;
    case Op::HasResult:
      result_of(in, m.texts[i.argument], i.fact, found);
      slot.truth = truth_of(found);
      break;
    case Op::Flag:
      slot.truth = truth_of(has_flag(in, m.texts[i.argument], i.fact));
      break;
    case Op::AnyFlag:
      slot.truth = truth_of(has_any_flag(in, &m.texts[i.argument], i.constant,
                                         i.fact == FactNames::kNone ? nullptr : &m.masks[i.fact]));
      break;
    case Op::Previous:
      slot.number = previous_of(in, m.numbers[i.argument]);
      break;
    case Op::Delta:
      slot.number = number_or_missing(in.result.numeric) - previous_of(in, m.numbers[i.argument]);
      break;
    case Op::DeltaPct: {
      const double previous = previous_of(in, m.numbers[i.argument]);
      const double value = number_or_missing(in.result.numeric);
      slot.number = previous == 0 ? kMissing : 100.0 * (value - previous) / std::fabs(previous);
      break;
    }
    case Op::HasPrevious:
      slot.truth = truth_of(!std::isnan(previous_of(in, m.numbers[i.argument])));
      break;
    case Op::PushNumber:
      slot.number = m.numbers[i.argument];
      ++m.top;
      return;
    case Op::PushText:
      slot.set_text(m.texts[i.argument]);
      ++m.top;
      return;
    case Op::PushTruth:
      slot.truth = i.argument != 0 ? Truth::True : Truth::False;
      ++m.top;
      return;
    case Op::Fire:
      if (stack[0].truth == Truth::True)
        m.fired->push_back(i.argument);
      m.top = 0;
      return;
    case Op::JumpIfFalse:
    case Op::JumpIfTrue:
      if (stack[m.top - 1].truth == (i.op == Op::JumpIfFalse ? Truth::False : Truth::True))
        m.pc = i.argument - 1;
      return;
    case Op::AndThen:
    case Op::OrElse:
      if (stack[m.top - 1].truth == (i.op == Op::AndThen ? Truth::False : Truth::True)) {
        m.pc = i.argument - 1;
      } else {
        --m.top;
      }
      return;
    case Op::Not:
      stack[m.top - 1].truth = negation(stack[m.top - 1].truth);
      return;
    case Op::And:
      stack[m.top - 2].truth = kleene_and(stack[m.top - 2].truth, stack[m.top - 1].truth);
      --m.top;
      return;
    case Op::Or:
      stack[m.top - 2].truth = kleene_or(stack[m.top - 2].truth, stack[m.top - 1].truth);
      --m.top;
      return;
    case Op::Less:
    case Op::LessOrEqual:
    case Op::Greater:
    case Op::GreaterOrEqual:
    case Op::Equal:
    case Op::NotEqual:
      stack[m.top - 2].truth = compare(stack[m.top - 2].number, stack[m.top - 1].number, i.op);
      --m.top;
      return;
    case Op::Abs:
      stack[m.top - 1].number = std::fabs(stack[m.top - 1].number);
      return;
    case Op::Negate:
      stack[m.top - 1].number = -stack[m.top - 1].number;
      return;
    case Op::Min:
    case Op::Max:
    case Op::Pow:
    case Op::Add:
    case Op::Subtract:
    case Op::Multiply:
    case Op::Divide:
    case Op::TextEqual:
    case Op::TextNotEqual:
      arithmetic(i.op, stack[m.top - 2], stack[m.top - 1]);
      --m.top;
      return;
    case Op::None:
      return;
  }
  if (i.compare == Op::Not) {
    slot.truth = negation(slot.truth);
  } else if (i.compare != Op::None) {
    slot.truth = compare(slot.number, m.numbers[i.constant], i.compare);
  }
  ++m.top;
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

}  // namespace

bool is_rerun(const EvaluationInput& in) {
  return in.specimen.is_rerun ||
         (in.history != nullptr && in.history->same_specimen(in.specimen, in.result.code));
}

void CompiledExpression::run(const EvaluationInput& in, EvaluationSlot* stack,
                             std::vector<std::uint32_t>* fired) const {
  Machine m{numbers_, texts_, masks_, in, stack};
  m.fired = fired;
  const auto* program = program_.data();
  const std::size_t size = program_.size();
  for (; m.pc < size; ++m.pc) {
    step(m, program[m.pc]);
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
    auto read = instruction;
    read.compare = Op::None;
    // A read pushes onto the free slot; two below it keep every path of step() in bounds.
    std::array<Slot, 3> stack{};
    Machine m{numbers_, texts_, masks_, in, stack.data()};
    m.top = 2;
    step(m, read);
    out.emplace_back(labels_[i], shown(type, stack[2]));
  }
  return out;
}

}  // namespace hemalink::rules
