#pragma once

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

/// One test the LIS ordered, in the LIS's own code (OBR-4, ASTM O-5); the order book maps it to
/// canonical codes with the destination's mapping table.
struct OrderedTest {
  std::string code;
  std::string text;
  std::string coding_system;
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
  std::string reason;  ///< Why, for a cancellation (ORC-16), when sent.
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
