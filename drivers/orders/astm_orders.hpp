#pragma once

#include "drivers/model/lab_order.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::drivers {

/// Reads the orders of a LIS02-A2 message from a LIS: one order per O record, on the patient of
/// the P record before it. O-3 is the specimen ID (the computer system's), O-5 the tests
/// (repeats; the code is component 4, else component 1), O-6 the priority, O-8 the collection
/// time, O-12 the action (N or A new, C cancel); P-3 (else P-4) the patient ID, P-8 birth date,
/// P-9 sex, P-26 location. Fails naming the record and field.
Result<model::OrderMessage> read_astm_orders(const astm::Lis2Message& message, Charset charset);

}  // namespace hemalink::drivers
