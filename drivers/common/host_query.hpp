#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/work_order.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::drivers {

/// How one instrument family asks for work (ASTM Q records) and wants it answered.
struct QueryLayout {
  /// Q-3 component holding the specimen ID: Sysmex `rack^tube^sample no^attribute` has it in 3;
  /// LIS02-A2 `patient ID^specimen ID` in 2. Zero: component 2, else 3, else 1 (generic).
  std::size_t specimen_component = 0;
  /// O-5 component the test code goes in: 5 for the XN (`^^^^WBC`), 4 for the CS (`^^^040`).
  std::size_t test_code_component = 4;
  /// With nothing pending, Sysmex expects an O record with report type Y ("no order"); LIS02-A2
  /// analyzers a terminator with code I ("no information available from last query").
  bool no_order_as_report_type_y = false;
  /// P-5 (Sysmex) or P-3 (LIS02-A2) carries the patient ID.
  bool patient_id_in_p5 = false;
  /// O-3 of a query answer: Sysmex wants Q-3's repeat echoed as received (rack^tube^sample
  /// no^attribute); LIS02-A2 hosts put the specimen ID in component 1, for every tube alike.
  bool echoes_query_specimen = false;
};

/// The specimens the Q records of `message` ask about: each repeat of Q-3, its specimen ID by
/// `layout` (trimmed) and the repeat echoed as received. A cobas "no barcode" marker (`@` and a
/// sequence number) names no specimen: a query of such tubes only has none, and is answered "no
/// information". Fails naming the record when a Q record names no specimen and no such tube.
Result<model::HostQuery> read_host_query(const astm::Lis2Message& message,
                                         const QueryLayout& layout, Charset charset);

/// The answer to a host query, as LIS02-A2 records (CR-terminated, no framing): H, then per
/// specimen with work a P and an O record (O-3 the echo or the specimen ID as `layout` says, O-5
/// the codes, O-6 the priority, O-12 N, O-16 the specimen type when known, O-26 Q), per specimen
/// without work what `layout` says, L. `timestamp` is H-14.
std::string write_query_answer(const std::vector<model::WorkOrder>& work, const QueryLayout& layout,
                               std::string_view timestamp);

/// Work sent ahead of any query (download mode), as LIS02-A2 records: H, per specimen with codes
/// a P and an O record (O-3 the specimen as specimen_field() places it, O-16 the specimen type
/// when known, O-26 `O`: an order, not a query answer), L. Specimens without codes are left out;
/// empty when none has any.
std::string write_work_download(const std::vector<model::WorkOrder>& work,
                                const QueryLayout& layout, std::string_view timestamp);

/// O-3 for a specimen the analyzer did not ask about: the ID in the layout's specimen component
/// (Sysmex `^^SMP001`, rack and tube left to the analyzer), else the ID alone.
std::string specimen_field(std::string_view specimen_id, const QueryLayout& layout);

/// A reply that is only our header and a terminator with LIS02-A2 termination code `code`: I (no
/// information available from last query), Q (error in last request), E (unknown system error),
/// N (the analyzer's cancelled request). `timestamp` is H-14.
std::string terminated_reply(std::string_view code, std::string_view timestamp);

}  // namespace hemalink::drivers
