#pragma once

#include "server/orders/order_book.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::orders {

/// What the LIS is answered, in HL7, for an order message whose orders were applied (or were
/// applied before: a resend is answered as the first was), written into `c`: the tests stored
/// unmapped are named at once, in original mode by an ACK that says AE with an ERR each
/// (`original_ack`, left empty when every test is known: the session's AA stands), in enhanced
/// mode by the application acknowledgement, ORL^O22, ORL^O34 or ORR^O02 with UA in each one's ORC
/// (`application_ack`). Nothing for other messages (ADT, ASTM): the session's plain ACK stands.
void answer_order_message(const records::OrderReceipt& r, store::Completion& c);

}  // namespace hemalink::orders
