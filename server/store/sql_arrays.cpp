#include "server/store/sql_arrays.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace hemalink::store {

std::string bigint_array(const std::vector<long long>& values) {
  return fmt::format("{{{}}}", fmt::join(values, ","));
}

std::vector<long long> json_integers(const std::string& json) {
  std::vector<long long> out;
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_array()) {
    for (const auto& v : parsed) {
      if (v.is_number_integer()) {
        out.push_back(v.get<long long>());
      }
    }
  }
  return out;
}

std::vector<std::string> json_strings(const std::string& json) {
  std::vector<std::string> out;
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_array()) {
    for (const auto& v : parsed) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace hemalink::store
