#pragma once

#include <string>
#include <vector>

namespace hemalink::store {

/// PostgreSQL array literals for statement parameters: `{1,2,3}` and `{"a","b \"c\""}`.
std::string bigint_array(const std::vector<long long>& values);
template <typename Strings>
std::string text_array(const Strings& values) {
  std::string out = "{";
  for (const auto& v : values) {
    out += out.size() == 1 ? "\"" : ",\"";
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
      }
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out + "}";
}

/// What `array_to_json(...)::text` gave back: the integers, or the strings, of a JSON array
/// (other elements skipped; not an array: none).
std::vector<long long> json_integers(const std::string& json);
std::vector<std::string> json_strings(const std::string& json);

}  // namespace hemalink::store
