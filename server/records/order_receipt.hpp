#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/model/lab_order.hpp"
#include "drivers/model/message_id.hpp"
#include "drivers/model/wire_protocol.hpp"

namespace hemalink::records {

/// One ordered test in canonical code, as the destination's mapping table read the LIS's code.
struct OrderedCode {
  std::string code;      ///< Canonical; the LIS's code when the table does not know it.
  std::string lis_code;  ///< As the LIS sent it (a panel code for each of its tests).
  bool is_mapped = true;
  std::string lis_text;           ///< OBR-4.2 as sent.
  std::string lis_coding_system;  ///< OBR-4.3 as sent.
};

/// An order with its tests mapped to canonical codes.
struct MappedOrder {
  model::LabOrder order;
  std::vector<OrderedCode> tests;
};

/// A message from a LIS that carries orders, as it arrived and as it was read. `refusal` set:
/// it did not parse or read as orders, and is kept raw as rejected with that reason.
struct OrderReceipt {
  model::MessageId id;
  std::string source;  ///< The LIS destination's name.
  model::WireProtocol protocol = model::WireProtocol::Hl7;
  std::string peer_address;
  std::chrono::system_clock::time_point received_at;
  std::string raw;
  std::string control_id;
  std::string message_type;  ///< `OML^O21`, `ORM^O01`, `OML^O33`, `ADT^A08`, `ASTM`.
  std::optional<std::string> refusal;
  std::optional<std::int64_t> error_offset;
  std::vector<MappedOrder> orders;
  std::optional<model::Patient> patient_update;
};

/// What storing an order message did.
struct OrderChanges {
  /// Set when the orders could not be applied (a cancellation of an order hemalink does not
  /// have): the message is kept as rejected with this reason, and nothing of it is applied.
  std::optional<std::string> refusal;
  /// Set when the LIS sent these bytes before (its send time aside: a resend after a lost
  /// acknowledgement): the message is kept as a duplicate of that one and nothing is applied
  /// again; `refusal` is then the first one's, when it was rejected.
  std::optional<std::string> duplicate_of;
  std::size_t orders_created = 0;
  std::size_t orders_changed = 0;
  std::size_t tests_added = 0;
  std::size_t tests_cancelled = 0;
  std::size_t patients_updated = 0;  ///< Open orders whose patient changed (ADT).
};

}  // namespace hemalink::records
