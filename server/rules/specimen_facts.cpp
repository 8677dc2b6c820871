#include <algorithm>

#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {
namespace {

// The name's number in `list`, added if new; kNone when it is new and the list holds `most`.
std::uint16_t number_of(std::vector<std::string>& list, std::string_view name, std::size_t most) {
  const auto it = std::find(list.begin(), list.end(), name);
  if (it != list.end())
    return static_cast<std::uint16_t>(it - list.begin());
  if (list.size() >= most)
    return FactNames::kNone;
  list.emplace_back(name);
  return static_cast<std::uint16_t>(list.size() - 1);
}

}  // namespace

std::uint16_t FactNames::result_code(std::string_view code) {
  return number_of(result_codes_, code, kNone);
}

std::uint16_t FactNames::flag(std::string_view name) {
  return number_of(flags_, name, kMaxFlags);
}

void SpecimenFacts::gather(const FactNames& names, const model::ResultSet& specimen) {
  results_.assign(names.result_codes(), Result{});
  flags_ = 0;
  const auto& wanted = names.flags();
  for (const auto& f : specimen.specimen_flags) {
    if (!f.is_positive)
      continue;
    const auto it = std::find(wanted.begin(), wanted.end(), f.name);
    if (it != wanted.end())
      flags_ |= std::uint64_t{1} << (it - wanted.begin());
  }
}

}  // namespace hemalink::rules
