#include "drivers/common/observations.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>

#include "drivers/common/units.hpp"

namespace hemalink::drivers {
namespace {

// `ug/mL{FEU}` refines `ug/mL`: same unit, with the annotation only configuration can know
// (D-dimer FEU vs DDU changes the LOINC, and analyzers send the bare unit).
bool refines(std::string_view table_units, std::string_view analyzer_units) {
  const auto brace = table_units.find('{');
  return brace != std::string_view::npos && brace > 0 && table_units.back() == '}' &&
         table_units.substr(0, brace) == analyzer_units;
}

}  // namespace

void apply_mapping(model::Observation& o, const CodeMapping* mapping,
                   std::vector<std::string>& warnings) {
  const bool has_raw_units = !o.raw_units.empty();
  o.units = has_raw_units ? normalize_units(o.raw_units) : std::string();
  if (has_raw_units && !is_known_unit(o.raw_units)) {
    warnings.push_back(fmt::format("{}: unit \"{}\" is not a known UCUM spelling; kept as sent",
                                   o.raw_code, o.raw_units));
  }
  if (mapping == nullptr) {
    o.code = o.raw_code;
    o.is_mapped = false;
    warnings.push_back(fmt::format("{}: code not in the mapping table; kept unmapped", o.raw_code));
    return;
  }
  o.code = mapping->code.empty() ? o.raw_code : mapping->code;
  o.loinc = mapping->loinc;
  o.decimals = mapping->decimals;
  o.is_mapped = true;
  if (!has_raw_units || refines(mapping->units, o.units)) {
    o.units = mapping->units;
  } else if (!mapping->units.empty() && o.units != mapping->units) {
    warnings.push_back(
        fmt::format("{}: analyzer sent units {} where the mapping table says {}; "
                    "kept the analyzer's",
                    o.raw_code, o.units, mapping->units));
  }
}

void apply_abnormal_flags(model::Observation& o, const std::vector<std::string>& codes) {
  constexpr std::array<std::string_view, 6> kAbnormal = {"LL", "HH", "L", "H", "A", "N"};
  for (const auto& code : codes) {
    if (code.empty()) {
      continue;
    }
    const bool is_abnormal = std::find(kAbnormal.begin(), kAbnormal.end(), code) != kAbnormal.end();
    if (is_abnormal && o.abnormal_flag.empty()) {
      o.abnormal_flag = code;
    } else {
      o.flags.push_back(code);
    }
  }
}

}  // namespace hemalink::drivers
