#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/wire_protocol.hpp"

namespace hemalink::simulate {

/// What a generated message reports, as the analyzer class that sends it would.
enum class Panel {
  Cbc,   ///< Sysmex XN class: CBC + 5-part differential + RET, 30 results.
  Coag,  ///< Sysmex CS class: PT (s, %, INR), APTT, fibrinogen, D-dimer.
  Flow,  ///< BD FACS class: lymphocyte subsets (CD3, CD4, CD8, CD19, CD16+56; % and counts).
};

std::optional<Panel> panel_from_name(std::string_view name);

/// `count` messages of `panel` in `protocol` (LIS02-A2 records or HL7 v2.5.1 ORU^R01), with
/// values drawn from a generator seeded with `seed` (some outside their reference range), so
/// runs compare. Specimen and control IDs are unique within a seed.
std::vector<std::string> generate(Panel panel, model::WireProtocol protocol, std::size_t count,
                                  std::uint32_t seed);

/// A value within the reference range of the analyte an analyzer reports under `code` (XN
/// `WBC`, CS `041`, FACS `CD4%`, or a LOINC), with its unit, formatted as the analyzer would;
/// "1" and no unit for a code it does not know.
struct TypicalValue {
  std::string value;
  std::string units;
};
TypicalValue typical_value(std::string_view code);

/// Realistic complete blood counts, the bulk of a hematology lab's traffic.
std::vector<std::string> hl7_oru_cbc_messages(std::size_t count, std::uint32_t seed);
std::vector<std::string> astm_cbc_messages(std::size_t count, std::uint32_t seed);

}  // namespace hemalink::simulate
