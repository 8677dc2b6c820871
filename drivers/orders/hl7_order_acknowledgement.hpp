#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/lab_order.hpp"
#include "protocols/hl7/v2_ack.hpp"

namespace hemalink::drivers {

/// Whether the LIS destination's mapping table knows a code it ordered (OBR-4.1).
using KnownTest = std::function<bool(const model::OrderedTest&)>;

/// One ERR per test of `message` that `is_known` does not know: ERR-2 `OBR^<occurrence>^4`,
/// ERR-3 103 (table value not found), severity E, ERR-8 naming the code, its text and the
/// destination's table, and what hemalink does with it (kept, sent to no analyzer).
std::vector<hl7::AckError> unknown_tests(const model::OrderMessage& message,
                                         const KnownTest& is_known, std::string_view destination);

/// The application acknowledgement of an order message that was applied, as HL7 v2.5.1 chapter
/// 4 names it for each message: ORL^O22 for OML^O21, ORL^O34 for OML^O33 (IHE LAW), ORR^O02 for
/// ORM^O01. MSA-1 AA, or AE with one ERR per unknown test; then the patient (PID-3) and per
/// order and test an ORC whose ORC-1 says what became of it (OK accepted, XR changed, CR
/// cancelled as asked; UA or UX: a test hemalink cannot accept, its code unknown), the OBR with
/// the placer and filler numbers and the test as ordered, and the specimen (SPM-2, SPM-4), in the
/// message's group order. Empty for a message that has no such answer (ADT): the plain ACK
/// stands.
std::string write_order_acknowledgement(const hl7::AckContext& original,
                                        const model::OrderMessage& message,
                                        const KnownTest& is_known, std::string_view destination,
                                        const hl7::AckHeader& header);

}  // namespace hemalink::drivers
