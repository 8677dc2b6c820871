#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/mapping.hpp"
#include "drivers/model/result_set.hpp"

namespace hemalink::drivers {

/// Sets code, LOINC, units, decimals and the mapped marker of `observation` from its raw code
/// and raw units. An unmapped code keeps its raw code as the code and adds a warning. Units: the
/// analyzer's own, normalised to UCUM, win; the table's units are used when the analyzer sent
/// none, or when they only add a UCUM annotation to the analyzer's (`ug/mL{FEU}` for `ug/mL`).
/// When both exist and differ otherwise, the analyzer's are kept and a warning says so: a value
/// is never silently re-labelled.
void apply_mapping(model::Observation& observation, const CodeMapping* mapping,
                   std::vector<std::string>& warnings);

/// Splits abnormal-flag codes (LIS02-A2 R-7, HL7 OBX-8): the first of LL, HH, L, H, A, N is the
/// abnormal flag; every other code goes to `flags`.
void apply_abnormal_flags(model::Observation& observation, const std::vector<std::string>& codes);

}  // namespace hemalink::drivers
