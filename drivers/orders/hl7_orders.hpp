#pragma once

#include "drivers/model/lab_order.hpp"
#include "protocols/common/result.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::drivers {

/// Reads the orders of a message from a LIS: OML^O21 (ORC, OBR then SPM), OML^O33 (IHE LAW
/// LAB-28: SPM, SAC, then ORC/OBR groups) and ORM^O01 (ORC/OBR, SPM after OBR when a v2.5 LIS
/// adds one), and the patient of ADT^A08/A31 (a patient update). Fails with a ParseError that
/// names the segment and field (Errc::WrongInput for any other message type).
///
/// The specimen ID is SPM-2 (its placer part, else its filler part), else SAC-3 (the container),
/// else OBR-3, OBR-2, ORC-3, ORC-2: LIS put the barcode in different places and the first
/// non-empty of these is the tube's. The placer number is ORC-2, else OBR-2; the filler number
/// ORC-3, else OBR-3. Priority is TQ1-9, else ORC-7.6/OBR-27.6, else OBR-5.
Result<model::OrderMessage> read_hl7_orders(const hl7::V2Message& message);

}  // namespace hemalink::drivers
