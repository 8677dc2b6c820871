#include "server/config/mapping_json.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/config/shipped_mappings.hpp"
#include "server/files/json_fields.hpp"
#include "server/files/json_text_positions.hpp"

namespace hemalink::config {
namespace {

using files::describe;
using nlohmann::json;

void read_string(const json& entry, const char* key, const std::string& path, std::string& out,
                 files::FileErrors& errors) {
  if (!entry.contains(key)) {
    return;
  }
  if (!entry[key].is_string()) {
    errors.push_back({"", std::nullopt, fmt::format("{}.{}", path, key),
                      fmt::format("expected a string, got {}", describe(entry[key])),
                      files::Errc::WrongType});
    return;
  }
  out = entry[key].get<std::string>();
}

drivers::CodeMapping read_entry(const json& entry, const std::string& path,
                                files::FileErrors& errors) {
  drivers::CodeMapping mapping;
  if (!entry.is_object()) {
    errors.push_back({"", std::nullopt, path,
                      fmt::format("expected an object, got {}", describe(entry)),
                      files::Errc::WrongType});
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
        {"", std::nullopt, path + ".role",
         fmt::format("expected \"result\", \"flag\" or \"attachment\", got \"{}\"", role)});
  }
  read_string(entry, "code", path, mapping.code, errors);
  read_string(entry, "name", path, mapping.name, errors);
  read_string(entry, "loinc", path, mapping.loinc, errors);
  read_string(entry, "units", path, mapping.units, errors);
  read_string(entry, "order_code", path, mapping.order_code, errors);
  if (entry.contains("decimals")) {
    const auto& d = entry["decimals"];
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0 || d.get<std::int64_t>() > 9) {
      errors.push_back({"", std::nullopt, path + ".decimals",
                        fmt::format("expected an integer 0-9, got {}", describe(d)),
                        d.is_number_integer() ? files::Errc::BadValue : files::Errc::WrongType});
    } else {
      mapping.decimals = d.get<int>();
    }
  }
  for (const auto& [key, value] : entry.items()) {
    if (key != "role" && key != "code" && key != "name" && key != "loinc" && key != "units" &&
        key != "decimals" && key != "order_code" && key != "comment") {
      errors.push_back(
          {"", std::nullopt, fmt::format("{}.{}", path, key),
           "unknown key (expected role, code, name, loinc, units, decimals, order_code or comment)",
           files::Errc::Unknown});
    }
  }
  return mapping;
}

}  // namespace

Result<drivers::MappingTable, files::FileErrors> mapping_table_from_json(std::string_view text,
                                                                         std::string_view source) {
  const std::string file(source);
  auto parsed = files::parse_json(text, file);
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  json& doc = *parsed;
  if (!doc.is_object() || !doc.contains("codes") || !doc["codes"].is_object()) {
    return files::FileErrors{{file, std::nullopt, "codes", "expected an object of code entries",
                              files::Errc::WrongType}};
  }
  files::FileErrors errors;
  drivers::MappingTable table;
  for (const auto& [code, entry] : doc["codes"].items()) {
    auto mapping = read_entry(entry, fmt::format("codes[\"{}\"]", code), errors);
    table.set(code, std::move(mapping));
  }
  if (!errors.empty()) {
    return files::in_file(std::move(errors), file);
  }
  return table;
}

// The drivers of one instrument family read that instrument's own fixed codes: their table is
// the default. Generic drivers serve analyzers that differ (a chemistry analyzer on IHE LAW is not
// a CBC counter), so they get nothing they do not name: a table merged in unasked made hemalink
// send analyzers tests they do not run.
std::string_view default_mapping_base(std::string_view driver) {
  for (std::string_view own : {"sysmex-xn", "sysmex-cs", "bd-facs"}) {
    if (driver == own) {
      return own;
    }
  }
  return {};
}

std::string mapping_base(std::string_view driver, const std::optional<std::string>& base) {
  if (!base) {
    return std::string(default_mapping_base(driver));
  }
  return *base == "none" ? std::string() : *base;
}

std::string unknown_base_message(std::string_view name) {
  return fmt::format("unknown mapping table \"{}\" (known: {}, none)", name,
                     fmt::join(shipped_table_names(), ", "));
}

Result<drivers::MappingTable, files::FileErrors> shipped_mapping_table(std::string_view name) {
  if (name.empty()) {
    return drivers::MappingTable{};
  }
  const auto shipped = shipped_mapping_json(name);
  if (!shipped) {
    return files::FileErrors{{"", std::nullopt, "base", unknown_base_message(name)}};
  }
  return mapping_table_from_json(*shipped, fmt::format("config/mappings/{}.json", name));
}

Result<drivers::MappingTable, files::FileErrors> load_mappings(std::string_view base,
                                                               std::string_view override_text,
                                                               std::string_view override_source) {
  auto table = shipped_mapping_table(base);
  if (!table) {
    return table.error();
  }
  if (!override_text.empty()) {
    auto overrides = mapping_table_from_json(override_text, override_source);
    if (!overrides) {
      return overrides.error();
    }
    table->merge(*overrides);
  }
  return table;
}

}  // namespace hemalink::config
