// The stack machine that runs a compiled rule expression: no allocation, no locks.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "protocols/common/assert.hpp"
#include "server/rules/compiled_expression.hpp"

#include <algorithm>

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

// A result of the specimen: from this message, else as another analyzer (or an earlier message)
// reported it for the same specimen ID.
double search_result(const EvaluationInput& in, std::string_view code, bool& found) {
  if (const auto* o = model::find_result(in.specimen, code)) {
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

bool result_has_flag(const model::Observation& result, std::string_view name) {
  for (const auto& f : result.flags) {
    if (f == name)
      return true;
  }
  return false;
}

bool specimen_has_flag(const model::ResultSet& specimen, std::string_view name) {
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
    if (result_has_flag(in.result, names[i]))
      return true;
    if ((in.facts == nullptr || mask == nullptr) && specimen_has_flag(in.specimen, names[i]))
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

enum class LoadType { None, Number, Text, Truth };

LoadType load_type(Op op) {
  switch (op) {
    case Op::Value:
    case Op::AgeYears:
    case Op::ReferenceLow:
    case Op::ReferenceHigh:
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
    case Op::QcStatus:
      return LoadType::Text;
    case Op::IsRerun:
    case Op::IsQc:
    case Op::QcStatusIs:
    case Op::StatusIs:
    case Op::ComparatorIs:
    case Op::AnyFlag:
    case Op::HasResult:
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

// Two dispatches from one body. Threaded: each handler jumps straight to the next instruction's
// handler through a table of label addresses (a GNU extension GCC and Clang both have), so the
// processor learns each handler's successors apart instead of sharing one switch jump among all
// of them; on the shipped rule sets that is about a fifth faster. Switch: one shared jump,
// portable. One loop for every instruction: a read then goes on to the comparison fused into it,
// if any. Debug and sanitizer builds check every op and the stack depth as they go.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
template <CompiledExpression::Dispatch kWith>
void CompiledExpression::run_with(const EvaluationInput& in, EvaluationSlot* stack,
                                  std::vector<std::uint32_t>* fired) const {
  static_assert(kWith == Dispatch::Switch || kHasThreadedDispatch);
#if defined(__GNUC__)
#define HL_RULE_OP_HANDLER(op, handler) &&handler,
  static void* const kHandlers[] = {HL_RULE_OPS(HL_RULE_OP_HANDLER)};
#undef HL_RULE_OP_HANDLER
  static_assert(std::size(kHandlers) == kOpCount);
  static_cast<void>(&&dispatch_switch);  // the threaded dispatch never goes through the switch
#define HL_RULE_THREADED_JUMP() goto* kHandlers[static_cast<std::size_t>(ip->op)]
#else
#define HL_RULE_THREADED_JUMP() goto dispatch_switch
#endif

  const Instruction* const program = program_.data();
  const Instruction* const end = program + program_.size();
  const Instruction* ip = program;
  std::size_t top = 0;  // the next free slot
  bool found = false;
#define HL_RULE_NEXT()                                      \
  do {                                                      \
    HL_ASSERT(top <= kStackSlots);                          \
    if (ip == end)                                          \
      return;                                               \
    HL_ASSERT(static_cast<std::size_t>(ip->op) < kOpCount); \
    if constexpr (kWith == Dispatch::Threaded) {            \
      HL_RULE_THREADED_JUMP();                              \
    } else {                                                \
      goto dispatch_switch;                                 \
    }                                                       \
  } while (false)

  HL_RULE_NEXT();

dispatch_switch:
  switch (ip->op) {
#define HL_RULE_OP_CASE(op, handler) \
  case Op::op:                       \
    goto handler;
    HL_RULE_OPS(HL_RULE_OP_CASE)
#undef HL_RULE_OP_CASE
  }
  return;  // not an op: unreachable, HL_RULE_NEXT() checked it

value:
  stack[top].number = number_or_missing(in.result.numeric);
  goto read_done;
text:
  stack[top].set_text(in.result.value);
  goto read_done;
units:
  stack[top].set_text(in.result.units);
  goto read_done;
status:
  stack[top].set_text(model::to_string(in.result.status));
  goto read_done;
status_is:
  stack[top].truth = truth_of(static_cast<std::uint32_t>(in.result.status) == ip->argument);
  goto read_done;
comparator_is:
  stack[top].truth = truth_of(static_cast<std::uint32_t>(in.result.comparator) == ip->argument);
  goto read_done;
abnormal_flag:
  stack[top].set_text(in.result.abnormal_flag);
  goto read_done;
code:
  stack[top].set_text(in.result.code);
  goto read_done;
comparator_text:
  stack[top].set_text(model::to_string(in.result.comparator));
  goto read_done;
sex:
  stack[top].set_text(in.specimen.patient ? std::string_view(in.specimen.patient->sex) : "");
  goto read_done;
age_years:
  stack[top].number =
      in.specimen.patient ? number_or_missing(in.specimen.patient->age_years) : kMissing;
  goto read_done;
reference_low:
  stack[top].number = in.reference != nullptr ? in.reference->low : kMissing;
  goto read_done;
reference_high:
  stack[top].number = in.reference != nullptr ? in.reference->high : kMissing;
  goto read_done;
is_rerun_read:
  stack[top].truth = truth_of(is_rerun(in));
  goto read_done;
is_qc:
  // A control's or a calibrator's: not a patient's (never reported, never in the review queue).
  stack[top].truth = truth_of(in.specimen.kind != model::SpecimenKind::Patient);
  goto read_done;
qc_status:
  stack[top].set_text(records::to_string(in.qc_status));
  goto read_done;
qc_status_is:
  stack[top].truth = truth_of(static_cast<std::uint32_t>(in.qc_status) == ip->argument);
  goto read_done;
result:
  stack[top].number = result_of(in, texts_[ip->argument], ip->fact, found);
  goto read_done;
has_result:
  result_of(in, texts_[ip->argument], ip->fact, found);
  stack[top].truth = truth_of(found);
  goto read_done;
any_flag:
  stack[top].truth =
      truth_of(has_any_flag(in, &texts_[ip->argument], ip->constant,
                            ip->fact == FactNames::kNone ? nullptr : &masks_[ip->fact]));
  goto read_done;
previous:
  stack[top].number = previous_of(in, numbers_[ip->argument]);
  goto read_done;
delta:
  stack[top].number =
      number_or_missing(in.result.numeric) - previous_of(in, numbers_[ip->argument]);
  goto read_done;
delta_pct : {
  const double before = previous_of(in, numbers_[ip->argument]);
  const double now = number_or_missing(in.result.numeric);
  stack[top].number = before == 0 ? kMissing : 100.0 * (now - before) / std::fabs(before);
  goto read_done;
}
has_previous:
  stack[top].truth = truth_of(!std::isnan(previous_of(in, numbers_[ip->argument])));
  goto read_done;

read_done:
  if (ip->compare == Op::Not) {
    stack[top].truth = negation(stack[top].truth);
  } else if (ip->compare != Op::None) {
    stack[top].truth = compare(stack[top].number, numbers_[ip->constant], ip->compare);
  }
  ++top;
  ++ip;
  HL_RULE_NEXT();

push_number:
  stack[top++].number = numbers_[ip->argument];
  ++ip;
  HL_RULE_NEXT();
push_text:
  stack[top++].set_text(texts_[ip->argument]);
  ++ip;
  HL_RULE_NEXT();
push_truth:
  stack[top++].truth = ip->argument != 0 ? Truth::True : Truth::False;
  ++ip;
  HL_RULE_NEXT();
fire:
  if (stack[0].truth == Truth::True)
    fired->push_back(ip->argument);
  top = 0;
  ++ip;
  HL_RULE_NEXT();
jump_if_false:
  HL_ASSERT(top >= 1);
  ip = stack[top - 1].truth == Truth::False ? program + ip->argument : ip + 1;
  HL_RULE_NEXT();
jump_if_true:
  HL_ASSERT(top >= 1);
  ip = stack[top - 1].truth == Truth::True ? program + ip->argument : ip + 1;
  HL_RULE_NEXT();
and_then:
  HL_ASSERT(top >= 1);
  if (stack[top - 1].truth == Truth::False) {
    ip = program + ip->argument;
  } else {
    --top;
    ++ip;
  }
  HL_RULE_NEXT();
or_else:
  HL_ASSERT(top >= 1);
  if (stack[top - 1].truth == Truth::True) {
    ip = program + ip->argument;
  } else {
    --top;
    ++ip;
  }
  HL_RULE_NEXT();
not_:
  HL_ASSERT(top >= 1);
  stack[top - 1].truth = negation(stack[top - 1].truth);
  ++ip;
  HL_RULE_NEXT();
and_:
  HL_ASSERT(top >= 2);
  stack[top - 2].truth = kleene_and(stack[top - 2].truth, stack[top - 1].truth);
  --top;
  ++ip;
  HL_RULE_NEXT();
or_:
  HL_ASSERT(top >= 2);
  stack[top - 2].truth = kleene_or(stack[top - 2].truth, stack[top - 1].truth);
  --top;
  ++ip;
  HL_RULE_NEXT();
compare_two:
  HL_ASSERT(top >= 2);
  stack[top - 2].truth = compare(stack[top - 2].number, stack[top - 1].number, ip->op);
  --top;
  ++ip;
  HL_RULE_NEXT();
abs:
  HL_ASSERT(top >= 1);
  stack[top - 1].number = std::fabs(stack[top - 1].number);
  ++ip;
  HL_RULE_NEXT();
negate:
  HL_ASSERT(top >= 1);
  stack[top - 1].number = -stack[top - 1].number;
  ++ip;
  HL_RULE_NEXT();
two_operands:
  HL_ASSERT(top >= 2);
  arithmetic(ip->op, stack[top - 2], stack[top - 1]);
  --top;
  ++ip;
  HL_RULE_NEXT();
none:
  ++ip;
  HL_RULE_NEXT();
#undef HEMALINK_NEXT
}
#pragma GCC diagnostic pop

void CompiledExpression::run_by(Dispatch dispatch, const EvaluationInput& in, EvaluationSlot* stack,
                                std::vector<std::uint32_t>* fired) const {
#if defined(__GNUC__)
  if (dispatch == Dispatch::Threaded) {
    run_with<Dispatch::Threaded>(in, stack, fired);
    return;
  }
#endif
  static_cast<void>(dispatch);
  run_with<Dispatch::Switch>(in, stack, fired);
}

Truth CompiledExpression::evaluate(const EvaluationInput& in) const {
  std::array<Slot, kStackSlots> stack;
  run(in, stack.data(), nullptr);
  return stack[0].truth;
}

Truth CompiledExpression::evaluate_for_test(const EvaluationInput& in, Dispatch dispatch) const {
  std::array<Slot, kStackSlots> stack;
  run_by(dispatch, in, stack.data(), nullptr);
  return stack[0].truth;
}

void CompiledExpression::fire_for_test(const EvaluationInput& in, std::vector<std::uint32_t>& fired,
                                       Dispatch dispatch) const {
  std::array<Slot, kStackSlots> stack;
  run_by(dispatch, in, stack.data(), &fired);
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

bool CompiledExpression::reads_qc_status() const {
  return std::any_of(program_.begin(), program_.end(), [](const Instruction& i) {
    return i.op == Op::QcStatus || i.op == Op::QcStatusIs;
  });
}

bool CompiledExpression::reads_reference() const {
  return std::any_of(program_.begin(), program_.end(), [](const Instruction& i) {
    return i.op == Op::ReferenceLow || i.op == Op::ReferenceHigh;
  });
}

bool CompiledExpression::reads_previous() const {
  return std::any_of(program_.begin(), program_.end(), [](const Instruction& i) {
    return i.op == Op::Previous || i.op == Op::Delta || i.op == Op::DeltaPct ||
           i.op == Op::HasPrevious;
  });
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
    // The read alone, run as a program of one instruction.
    CompiledExpression read;
    read.program_ = {instruction};
    read.program_[0].compare = Op::None;
    read.numbers_ = numbers_;
    read.texts_ = texts_;
    std::array<Slot, kStackSlots> stack;
    read.run(in, stack.data(), nullptr);
    out.emplace_back(labels_[i], shown(type, stack[0]));
  }
  return out;
}

}  // namespace hemalink::rules
