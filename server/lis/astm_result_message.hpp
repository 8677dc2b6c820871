#pragma once

#include <string>

#include "protocols/common/result.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/lis/errc.hpp"
#include "server/lis/lis_config.hpp"
#include "server/lis/outbox.hpp"

namespace hemalink::lis {

/// An ASTM E1394 / LIS02-A2 result message of one outbox row (one specimen), for a LIS that takes
/// ASTM: H (H-3 the row's control ID, H-12 the processing ID, H-14 the row's creation time), P
/// (P-3 the patient), O (O-3 the specimen, O-5 the panel, O-26 F or C), an R per result (R-3 the
/// LIS code, LOINC or canonical code, R-9 F, C, P or X, R-13 the analysis time, R-14 the
/// analyzer) with C for its comments, and L. Records end with CR; the E1381 link frames them.
Result<BuiltMessage, Error> build_astm_results(const OutboxContent& content,
                                               const LisDestination& destination,
                                               const config::LisMapping& mapping);

}  // namespace hemalink::lis
