#pragma once

#include <string>

#include "protocols/common/result.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/lis/errc.hpp"
#include "server/lis/lis_config.hpp"
#include "server/lis/outbox.hpp"

namespace hemalink::lis {

/// An HL7 v2.5.1 ORU^R01 of one outbox row (one specimen): MSH (MSH-10 the row's control ID,
/// MSH-7 the row's creation time, MSH-18 UNICODE UTF-8), PID when the patient is known, ORC and
/// OBR (OBR-3 the specimen), an OBX per result (NM, SN with a comparator, ST for text; OBX-3 the
/// LIS code, LOINC or the canonical code; OBX-11 F or C; OBX-18 the analyzer; OBX-19 the
/// analysis time) with NTE for its comments, and SPM. Segments end with CR; no MLLP framing.
/// Built from the row's content only: built again, it is the same message.
/// Fails (a lis::Errc) when the row names no result or a value cannot be converted.
Result<BuiltMessage, Error> build_oru(const OutboxContent& content,
                                      const LisDestination& destination,
                                      const config::LisMapping& mapping);

}  // namespace hemalink::lis
