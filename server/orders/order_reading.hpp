#pragma once

#include "protocols/common/charset.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/orders/order_book.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::orders {

/// A message a LIS sent on its order feed, read: parsed (HL7 after any byte-order mark; ASTM in
/// `charset`), its orders read and each ordered code mapped to canonical tests by `mapping` (a
/// panel to each of its tests; an unknown code kept as it is, unmapped). What does not parse or
/// read as orders has its refusal set, naming what was wrong and where.
records::OrderReceipt read_order_message(const records::Receipt& receipt,
                                         const config::LisMapping& mapping, Charset charset);

}  // namespace hemalink::orders
