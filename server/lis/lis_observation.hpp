#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/config/lis_mapping.hpp"
#include "server/lis/errc.hpp"
#include "server/lis/outbox.hpp"

namespace hemalink::lis {

/// How a result is named and valued for one LIS: the LIS's code from its mapping, else LOINC,
/// else the canonical code; the value in the LIS's units when the mapping converts.
struct LisObservation {
  std::string code;
  std::string text;
  std::string coding_system;  ///< The mapping's, LN for LOINC, 99HLK for canonical codes.
  std::string value;          ///< Without comparator.
  std::string comparator;     ///< <, <=, >, >= or empty.
  bool is_numeric = false;    ///< The value is a number (NM, or SN with a comparator).
  std::string units;
  std::string reference_range;
  /// F final, C correction, P preliminary, X cannot be reported.
  char status = 'F';
};

/// The panel (OBR-4, ASTM O-5) of a specimen's results: the mapping's for its analyzer or driver,
/// else hemalink's own for the driver.
struct LisPanel {
  std::string code;
  std::string text;
  std::string coding_system;
};
LisPanel lis_panel(const OutboxSpecimen& specimen, const config::LisMapping& mapping);

/// The control ID (HL7 MSH-10, ASTM H-3) of an outbox row's message: the same at every attempt
/// and on every node.
std::string control_id_of(long long outbox_id);

/// The coding system of hemalink's own canonical codes (HL7 "99zzz": locally defined).
inline constexpr const char* kCanonicalCodingSystem = "99HLK";

/// Fails (naming the result and the test) when the mapping converts units and the value or its
/// reference range is not a number that can be converted.
Result<LisObservation, Error> lis_observation(const OutboxResult& result,
                                              const config::LisMapping& mapping);

/// Every result of a row as the LIS sees it, in order; fails with the first that cannot be, or
/// when the row names no result.
Result<std::vector<LisObservation>, Error> lis_observations(const OutboxContent& content,
                                                            const config::LisMapping& mapping);
/// True when one of them corrects what the LIS has (the order is then a correction too).
bool has_correction(const std::vector<LisObservation>& observations);

/// An analyzer's time as HL7 DTM / ASTM date-time (YYYYMMDD[HHMM[SS]]), when it reads as one
/// (digits, or an ISO 8601 text); empty otherwise.
std::string protocol_time(const std::string& analyzer_time);

}  // namespace hemalink::lis
