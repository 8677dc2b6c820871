// Rules' conditions joined into one program per test code: one run per result instead of one
// per rule, and the results and flags they read numbered for SpecimenFacts.
#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {
namespace {

using Op = CompiledExpression::Op;

bool reads_number(Op op) {
  return op == Op::PushNumber || op == Op::Previous || op == Op::Delta || op == Op::DeltaPct ||
         op == Op::HasPrevious;
}

bool reads_text(Op op) {
  return op == Op::PushText || op == Op::Result || op == Op::HasResult || op == Op::AnyFlag;
}

bool jumps(Op op) {
  return op == Op::JumpIfFalse || op == Op::JumpIfTrue || op == Op::AndThen || op == Op::OrElse;
}

// The FactNames bits of the flags an AnyFlag reads; nullopt when one of them has no bit.
std::optional<std::uint64_t> mask_of(const std::vector<std::string>& texts,
                                     const CompiledExpression::Instruction& any_flag,
                                     FactNames& names) {
  std::uint64_t mask = 0;
  for (std::uint32_t i = 0; i < any_flag.constant; ++i) {
    const auto bit = names.flag(texts[any_flag.argument + i]);
    if (bit == FactNames::kNone)
      return std::nullopt;
    mask |= std::uint64_t{1} << bit;
  }
  return mask;
}

}  // namespace

CompiledExpression CompiledExpression::join(
    const std::vector<std::pair<const CompiledExpression*, std::uint32_t>>& conditions,
    FactNames& names) {
  CompiledExpression out;
  for (const auto& [condition, rule] : conditions) {
    const auto at = static_cast<std::uint32_t>(out.program_.size());
    const auto numbers = static_cast<std::uint32_t>(out.numbers_.size());
    const auto texts = static_cast<std::uint32_t>(out.texts_.size());
    for (auto instruction : condition->program_) {
      const auto op = instruction.op;
      if (op == Op::Result || op == Op::HasResult) {
        instruction.fact = names.result_code(condition->texts_[instruction.argument]);
      } else if (op == Op::AnyFlag) {
        const auto mask = mask_of(condition->texts_, instruction, names);
        if (mask && out.masks_.size() < FactNames::kNone) {
          instruction.fact = static_cast<std::uint16_t>(out.masks_.size());
          out.masks_.push_back(*mask);
        }
      }
      if (reads_number(op)) {
        instruction.argument += numbers;
      } else if (reads_text(op)) {
        instruction.argument += texts;
      } else if (jumps(op)) {
        instruction.argument += at;
      }
      if (instruction.compare != Op::None && instruction.compare != Op::Not) {
        instruction.constant += numbers;
      }
      out.program_.push_back(instruction);
    }
    out.labels_.insert(out.labels_.end(), condition->labels_.begin(), condition->labels_.end());
    out.numbers_.insert(out.numbers_.end(), condition->numbers_.begin(), condition->numbers_.end());
    out.texts_.insert(out.texts_.end(), condition->texts_.begin(), condition->texts_.end());
    out.program_.push_back({Op::Fire, Op::None, FactNames::kNone, rule, 0});
    out.labels_.emplace_back();
  }
  return out;
}

}  // namespace hemalink::rules
