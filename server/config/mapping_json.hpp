#pragma once

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

/// The shipped table of `driver` merged with the lab's overrides from `override_text` (empty:
/// none). Fails when either does not read.
Result<drivers::MappingTable, files::FileErrors> load_mappings(std::string_view driver,
                                                               std::string_view override_text,
                                                               std::string_view override_source);

}  // namespace hemalink::config
