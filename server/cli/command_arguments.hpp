#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

namespace hemalink::cli {

/// `text` as a whole number or decimal; false when anything is left over.
template <typename Number>
bool parse_number(const std::string& text, Number& out) {
  const auto* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, out);
  return error == std::errc() && at == end;
}

/// HOST:PORT (the last colon splits, so an IPv6 host keeps its colons).
inline bool parse_host_port(const std::string& text, std::pair<std::string, std::uint16_t>& out) {
  const auto colon = text.rfind(':');
  std::uint16_t port = 0;
  if (colon == std::string::npos || colon == 0 || !parse_number(text.substr(colon + 1), port)) {
    return false;
  }
  out = {text.substr(0, colon), port};
  return true;
}

}  // namespace hemalink::cli
