#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "drivers/mapping.hpp"
#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"

namespace hemalink::config {

/// Reads a mapping table:
///   {"driver": "sysmex-xn", "description": "...",
///    "codes": {"WBC": {"code": "WBC", "loinc": "6690-2", "units": "10*3/uL", "decimals": 2},
///              "PLT_Clumps?": {"role": "flag"}}}
/// `role` is "result" (default), "flag" or "attachment". Every error names `source` (as its file)
/// and the JSON path, e.g. `sysmex-xn.json: codes["WBC"].decimals: expected an integer 0-9, got
/// "x"`; all errors are reported at once.
Result<drivers::MappingTable, files::FileErrors> mapping_table_from_json(std::string_view text,
                                                                         std::string_view source);

/// The shipped table an analyzer of `driver` starts from when its configuration names no base:
/// the instrument's own for sysmex-xn, sysmex-cs and bd-facs (their codes are the instrument's
/// fixed protocol); empty (none) for generic-astm and generic-hl7, whose analyzers differ.
std::string_view default_mapping_base(std::string_view driver);

/// The base of an analyzer of `driver` whose configuration says `base`: the name it gives ("none":
/// empty), else default_mapping_base(driver).
std::string mapping_base(std::string_view driver, const std::optional<std::string>& base);

/// What is wrong with a base no table ships by: `unknown mapping table "x" (known: bd-facs, ...,
/// none)`.
std::string unknown_base_message(std::string_view name);

/// The shipped table `name` (config/mappings/<name>.json); an empty table for an empty name.
/// Fails naming the JSON path "base" and the known names when no table ships by that name.
Result<drivers::MappingTable, files::FileErrors> shipped_mapping_table(std::string_view name);

/// The shipped table `base` (empty: none) with the entries of the lab's mappings file
/// `override_text` (empty: none) over it. Fails when either does not read.
Result<drivers::MappingTable, files::FileErrors> load_mappings(std::string_view base,
                                                               std::string_view override_text,
                                                               std::string_view override_source);

}  // namespace hemalink::config
