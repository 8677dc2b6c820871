#pragma once

#include <cstddef>
#include <string_view>

namespace hemalink {

/// Part `n` (1-based) of `text` split on `delimiter`; empty when there are fewer parts. Used for
/// repeats, components and subcomponents of ASTM and HL7 fields, without allocating.
inline std::string_view nth_part(std::string_view text, char delimiter, std::size_t n) {
  if (n == 0) {
    return {};
  }
  std::size_t start = 0;
  for (std::size_t i = 1; i < n; ++i) {
    auto next = text.find(delimiter, start);
    if (next == std::string_view::npos) {
      return {};
    }
    start = next + 1;
  }
  auto stop = text.find(delimiter, start);
  return text.substr(start, stop == std::string_view::npos ? std::string_view::npos : stop - start);
}

/// Number of parts of `text` split on `delimiter`; an empty text is one empty part.
inline std::size_t count_parts(std::string_view text, char delimiter) {
  std::size_t count = 1;
  for (char c : text) {
    count += c == delimiter ? 1 : 0;
  }
  return count;
}

}  // namespace hemalink
