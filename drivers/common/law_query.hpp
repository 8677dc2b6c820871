#pragma once

#include <string>
#include <string_view>

#include "drivers/model/work_order.hpp"
#include "protocols/common/result.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::drivers {

/// An IHE LAW LAB-27 query (QBP^Q11): what the analyzer asks and what the answer echoes.
struct LawQuery {
  std::string control_id;       ///< MSH-10, acknowledged in MSA-2.
  std::string query_tag;        ///< QPD-2, echoed in QAK-1 and QPD-2.
  std::string query_name;       ///< QPD-1 (`WOS^Work Order Step^IHE_LABTF`), raw, echoed.
  std::string sender;           ///< MSH-3, MSH-4 as sent: the answer's receiving application and
  std::string sender_facility;  ///< facility.
  model::QueriedSpecimen specimen;  ///< QPD-3 (the container or specimen ID).
};

/// Reads a QBP^Q11; fails naming the segment and field when it is not one or names no specimen.
Result<LawQuery> read_law_query(const hl7::V2Message& message);

/// The LAB-27 response (RSP^K11): MSA AA, QAK with OK when there is work (it follows by LAB-28)
/// and NF when there is none, the QPD echoed. Segments end with CR; no framing.
std::string write_law_response(const LawQuery& query, bool has_work, std::string_view control_id,
                               std::string_view timestamp);

/// The LAB-28 work order broadcast (OML^O33) for one specimen: PID, SPM (its ID, role P), SAC
/// (the container), then per test ORC|NW, TQ1 (priority), OBR (the analyzer's code in OBR-4).
std::string write_law_work_order(const LawQuery& query, const model::WorkOrder& work,
                                 std::string_view control_id, std::string_view timestamp);

}  // namespace hemalink::drivers
