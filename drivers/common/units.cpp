#include "drivers/common/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

#include "drivers/common/values.hpp"

namespace hemalink::drivers {
namespace {

// Spellings after folding (lower case, µ as u, 10^n and 10En as 10*n, no leading x).
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kUnits = {{
    {"10*3/ul", "10*3/uL"},
    {"k/ul", "10*3/uL"},
    {"10*3/mm3", "10*3/uL"},
    {"10*6/ul", "10*6/uL"},
    {"m/ul", "10*6/uL"},
    {"10*6/mm3", "10*6/uL"},
    {"10*9/l", "10*9/L"},
    {"10*12/l", "10*12/L"},
    {"g/dl", "g/dL"},
    {"g/l", "g/L"},
    {"mg/dl", "mg/dL"},
    {"mg/l", "mg/L"},
    {"fl", "fL"},
    {"um3", "fL"},
    {"pg", "pg"},
    {"%", "%"},
    {"sec", "s"},
    {"s", "s"},
    {"seconds", "s"},
    {"mmol/l", "mmol/L"},
    {"umol/l", "umol/L"},
    {"nmol/l", "nmol/L"},
    {"u/l", "U/L"},
    {"iu/l", "[IU]/L"},
    {"miu/ml", "m[IU]/mL"},
    {"miu/l", "m[IU]/L"},
    {"ku/l", "k[IU]/L"},
    {"kua/l", "k[IU]/L"},
    {"ug/ml feu", "ug/mL{FEU}"},
    {"mg/l feu", "mg/L{FEU}"},
    {"ng/ml feu", "ng/mL{FEU}"},
    {"ng/ml ddu", "ng/mL{DDU}"},
    {"ug/l ddu", "ug/L{DDU}"},
    {"/ul", "/uL"},
    {"cells/ul", "/uL"},
    {"/mm3", "/uL"},
    {"ratio", "{ratio}"},
    {"inr", "{INR}"},
    {"mg/dl feu", "mg/dL{FEU}"},
    {"10*9/ul", "10*9/uL"},
}};

std::string fold(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == 0xC2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0xB5) {
      out.push_back('u');  // µ in UTF-8
      ++i;
    } else if (c == 0xB5) {
      out.push_back('u');  // µ in Latin-1
    } else {
      out.push_back(static_cast<char>(std::tolower(c)));
    }
  }
  if ((out.starts_with("x10") || out.starts_with("x 10"))) {
    out.erase(0, out[1] == ' ' ? 2 : 1);
  }
  if (out.starts_with("10^") || out.starts_with("10e")) {
    out[2] = '*';
  }
  return out;
}

std::optional<std::string_view> lookup(std::string_view raw) {
  raw = trim(raw);
  if (raw == "G/L") {
    return "10*9/L";
  }
  if (raw == "T/L") {
    return "10*12/L";
  }
  const std::string folded = fold(raw);
  auto it = std::find_if(kUnits.begin(), kUnits.end(),
                         [&](const auto& entry) { return entry.first == folded; });
  if (it == kUnits.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace

std::string normalize_units(std::string_view raw) {
  auto known = lookup(raw);
  return std::string(known ? *known : trim(raw));
}

bool is_known_unit(std::string_view raw) {
  return lookup(raw).has_value();
}

}  // namespace hemalink::drivers
