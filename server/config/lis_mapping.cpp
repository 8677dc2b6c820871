#include "server/config/lis_mapping.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::config {
namespace {

using files::JsonFields;
using nlohmann::json;

LisCode read_code(const json& node, const std::string& path, files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  LisCode c;
  f.text("code", c.code, true);
  f.text("text", c.text);
  f.text("coding_system", c.coding_system);
  f.text("units", c.units);
  if (f.has("factor")) {
    f.number("factor", c.factor, 1e-12, 1e12);
    if (!f.has("units")) {
      f.error(f.path_of("factor"), "a factor converts to the LIS's units: give \"units\" too");
    }
  }
  int decimals = -1;
  f.integer("decimals", decimals, 0, 9);
  if (decimals >= 0) {
    c.decimals = decimals;
  }
  return c;
}

LisCode read_panel(const json& node, const std::string& path, files::FileErrors& errors) {
  JsonFields f(node, path, errors);
  LisCode c;
  f.text("code", c.code, true);
  f.text("text", c.text);
  f.text("coding_system", c.coding_system);
  return c;
}

}  // namespace

const LisCode* LisMapping::panel(std::string_view analyzer, std::string_view driver) const {
  auto it = panels.find(analyzer);
  if (it == panels.end()) {
    it = panels.find(driver);
  }
  return it == panels.end() ? nullptr : &it->second;
}

const LisCode* LisMapping::find(std::string_view canonical) const {
  auto it = codes.find(canonical);
  return it == codes.end() ? nullptr : &it->second;
}

std::vector<std::string> LisMapping::ordered_tests(std::string_view lis_code) const {
  if (auto panel = order_panels.find(lis_code); panel != order_panels.end()) {
    return panel->second;
  }
  for (const auto& [canonical, code] : codes) {
    if (code.code == lis_code) {
      return {canonical};
    }
  }
  return {};
}

Result<LisMapping, files::FileErrors> lis_mapping_from_json(std::string_view text,
                                                            std::string_view source) {
  const std::string file(source);
  auto parsed = files::parse_json(text, file);
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  files::FileErrors errors;
  LisMapping mapping;
  {
    JsonFields top(*parsed, "", errors);
    std::string ignored;
    top.text("description", ignored);
    top.text("coding_system", mapping.coding_system);
    if (const json* codes = top.object("codes", true)) {
      for (const auto& [code, entry] : codes->items()) {
        mapping.codes[code] = read_code(entry, fmt::format("codes[\"{}\"]", code), errors);
      }
    }
    if (const json* order_panels = top.object("order_panels")) {
      JsonFields panels(*order_panels, "order_panels", errors);
      for (const auto& item : order_panels->items()) {
        auto& tests = mapping.order_panels[item.key()];
        panels.text_list(item.key().c_str(), tests);
        if (tests.empty()) {
          errors.push_back({"", std::nullopt, panels.path_of(item.key().c_str()),
                            "an order panel lists at least one canonical test"});
        }
      }
    }
    if (const json* panels = top.object("panels")) {
      for (const auto& [name, entry] : panels->items()) {
        mapping.panels[name] = read_panel(entry, fmt::format("panels[\"{}\"]", name), errors);
      }
    }
  }
  if (!errors.empty()) {
    return files::in_file(std::move(errors), file);
  }
  return mapping;
}

}  // namespace hemalink::config
