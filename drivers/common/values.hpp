#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "drivers/model/result_set.hpp"
#include "protocols/common/text.hpp"

namespace hemalink::drivers {

/// A result value as analyzers write it: right-aligned with spaces (`  10.6`), with a bound
/// (`< 1.20`, `>100`, `<=0.5`), or not a number at all (`----`, `Negative`, `No Result`).
struct Value {
  std::string text;  ///< Trimmed; the bound kept (`<1.20` stays `< 1.20` trimmed to `< 1.20`).
  std::optional<double> numeric;
  model::Comparator comparator = model::Comparator::None;
};

/// Reads `raw` strictly: a number is an optional sign, digits, at most one point and an optional
/// exponent, and nothing else (`1,5` and `5.6 H` are not numbers: the text is kept as it is).
Value parse_value(std::string_view raw);

/// Reads a decimal number (after trimming), or nullopt.
std::optional<double> parse_number(std::string_view text);

}  // namespace hemalink::drivers
