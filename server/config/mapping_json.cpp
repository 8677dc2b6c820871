#include "server/config/mapping_json.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/config/shipped_mappings.hpp"
#include "server/files/json_fields.hpp"

namespace hemalink::config {
namespace {

using files::describe;
using nlohmann::json;

const std::error_code kBadConfig = std::make_error_code(std::errc::invalid_argument);

void read_string(const json& entry, const char* key, const std::string& path, std::string& out,
                 std::vector<std::string>& errors) {
  if (!entry.contains(key)) {
    return;
  }
  if (!entry[key].is_string()) {
    errors.push_back(
        fmt::format("{}.{}: expected a string, got {}", path, key, describe(entry[key])));
    return;
  }
  out = entry[key].get<std::string>();
}

drivers::CodeMapping read_entry(const json& entry, const std::string& path,
                                std::vector<std::string>& errors) {
  drivers::CodeMapping mapping;
  if (!entry.is_object()) {
    errors.push_back(fmt::format("{}: expected an object, got {}", path, describe(entry)));
    return mapping;
  }
  std::string role = "result";
  read_string(entry, "role", path, role, errors);
  if (role == "flag") {
    mapping.role = drivers::CodeRole::Flag;
  } else if (role == "attachment") {
    mapping.role = drivers::CodeRole::Attachment;
  } else if (role != "result") {
    errors.push_back(
        fmt::format("{}.role: expected \"result\", \"flag\" or \"attachment\", got "
                    "\"{}\"",
                    path, role));
  }
  read_string(entry, "code", path, mapping.code, errors);
  read_string(entry, "loinc", path, mapping.loinc, errors);
  read_string(entry, "units", path, mapping.units, errors);
  if (entry.contains("decimals")) {
    const auto& d = entry["decimals"];
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0 || d.get<std::int64_t>() > 9) {
      errors.push_back(
          fmt::format("{}.decimals: expected an integer 0-9, got {}", path, describe(d)));
    } else {
      mapping.decimals = d.get<int>();
    }
  }
  for (const auto& [key, value] : entry.items()) {
    if (key != "role" && key != "code" && key != "loinc" && key != "units" && key != "decimals" &&
        key != "comment") {
      errors.push_back(
          fmt::format("{}.{}: unknown key (expected role, code, loinc, units, "
                      "decimals or comment)",
                      path, key));
    }
  }
  return mapping;
}

}  // namespace

Result<drivers::MappingTable> mapping_table_from_json(std::string_view text,
                                                      std::string_view source) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    return ParseError{kBadConfig, fmt::format("{}: not valid JSON", source), 0};
  }
  if (!doc.is_object() || !doc.contains("codes") || !doc["codes"].is_object()) {
    return ParseError{kBadConfig,
                      fmt::format("{}: codes: expected an object of code entries", source), 0};
  }
  std::vector<std::string> errors;
  drivers::MappingTable table;
  for (const auto& [code, entry] : doc["codes"].items()) {
    auto mapping = read_entry(entry, fmt::format("codes[\"{}\"]", code), errors);
    table.set(code, std::move(mapping));
  }
  if (!errors.empty()) {
    return ParseError{kBadConfig, fmt::format("{}: {}", source, fmt::join(errors, "; ")), 0};
  }
  return table;
}

Result<drivers::MappingTable> load_mappings(std::string_view driver, std::string_view override_text,
                                            std::string_view override_source) {
  drivers::MappingTable table;
  if (auto shipped = shipped_mapping_json(driver)) {
    auto parsed = mapping_table_from_json(*shipped, fmt::format("config/mappings/{}.json", driver));
    if (!parsed) {
      return parsed.error();
    }
    table = std::move(*parsed);
  }
  if (!override_text.empty()) {
    auto overrides = mapping_table_from_json(override_text, override_source);
    if (!overrides) {
      return overrides.error();
    }
    table.merge(*overrides);
  }
  return table;
}

}  // namespace hemalink::config
