#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/result_set.hpp"

namespace hemalink::model {

/// What a LIS asks of one order: HL7 ORC-1 (NW, XO, CA/OC/DC...), ASTM O-12 (N, A, C).
enum class OrderControl {
  New,     ///< A new order, or tests added to one (NW, NA, ASTM N and A).
  Change,  ///< Demographics, priority or tests changed (XO, XX, RP, RU, ASTM none).
  Cancel,  ///< The listed tests (all, when none is listed) are cancelled (CA, OC, DC, ASTM C).
  Status,  ///< A status notice that changes nothing here (SC, SN, OK).
};

/// A coded value as a LIS sent it: HL7 CWE/CE components 1-3 (`SER^Serum^HL70369`).
struct CodedValue {
  std::string code;
  std::string text;
  std::string coding_system;

  bool empty() const { return code.empty() && text.empty(); }
};

/// One test the LIS ordered, in the LIS's own code (OBR-4, ASTM O-5); the order book maps it to
/// canonical codes with the destination's mapping table.
struct OrderedTest {
  std::string code;
  std::string text;
  std::string coding_system;
  /// Which OBR of the message ordered it (its occurrence, 1-based: ERR-2's segment sequence in
  /// the acknowledgement); 0 for an ASTM O record.
  std::size_t request = 0;
};

/// One order as a LIS sent it: a placer order (ORC/OBR group, an O record) on one specimen.
struct LabOrder {
  OrderControl control = OrderControl::New;
  std::string placer_number;  ///< ORC-2, else OBR-2 (ASTM: O-3).
  std::string filler_number;  ///< ORC-3, else OBR-3.
  std::string specimen_id;    ///< The tube's barcode.
  std::optional<Patient> patient;
  std::string location;  ///< PV1-3 point of care (ASTM P-26 / O-28).
  Priority priority = Priority::Unknown;
  std::string collected_at;  ///< YYYYMMDD[HHMM[SS]] as sent (SPM-17, OBR-7, ASTM O-8).
  std::vector<OrderedTest> tests;
  std::string reason;           ///< Why, for a cancellation (ORC-16), when sent.
  CodedValue specimen_type;     ///< SPM-4, else OBR-15.1 (v2.3); ASTM O-16 component 1.
  std::string specimen_source;  ///< SPM-8 source site; ASTM O-16 component 2.
  /// Notes for the lab (NTE after ORC/OBR; ASTM C records after the O record), one per line:
  /// a blood bank's donor unit for a crossmatch travels here.
  std::string comment;
};

/// Every order of one message from a LIS.
struct OrderMessage {
  std::string control_id;    ///< MSH-10, ASTM H-3.
  std::string message_type;  ///< `OML^O21`, `ORM^O01`, `OML^O33`, `ASTM`.
  std::vector<LabOrder> orders;
  /// ADT^A08/A31: the patient whose demographics changed (their open orders follow).
  std::optional<Patient> patient_update;
};

/// ORC-1 (or ASTM O-12) as an OrderControl; nullopt for a code hemalink does not act on.
std::optional<OrderControl> order_control_from_hl7(std::string_view orc1);
std::optional<OrderControl> order_control_from_astm(std::string_view o12);
const char* to_string(OrderControl control);

}  // namespace hemalink::model
