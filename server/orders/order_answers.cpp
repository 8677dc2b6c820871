#include "server/orders/order_answers.hpp"

#include "drivers/common/hl7_reply_header.hpp"
#include "drivers/orders/hl7_order_acknowledgement.hpp"
#include "protocols/common/charset.hpp"

namespace hemalink::orders {
namespace {

model::OrderMessage message_of(const store::OrderReceipt& r) {
  model::OrderMessage m;
  m.control_id = r.control_id;
  m.message_type = r.message_type;
  for (const auto& mapped : r.orders)
    m.orders.push_back(mapped.order);
  return m;
}

}  // namespace

void answer_order_message(const store::OrderReceipt& r, const config::LisMapping& mapping,
                          store::Completion& c) {
  const auto original = hl7::AckContext::from_raw(without_byte_order_mark(r.raw));
  const auto message = message_of(r);
  const drivers::KnownTest is_known = [&mapping](const model::OrderedTest& t) {
    return !mapping.ordered_tests(t.code).empty();
  };
  const auto now = std::chrono::system_clock::now();
  const auto errors = drivers::unknown_tests(message, is_known, r.source);
  c.answer_has_errors = !errors.empty();
  if (!errors.empty()) {
    hl7::build_ack(original, hl7::AckCode::AE, errors,
                   drivers::reply_header(model::MessageId::generate(), now), c.original_ack);
  }
  auto header = drivers::reply_header(model::MessageId::generate(), now);
  header.accept_type = "NE";
  header.application_type = "NE";
  c.application_ack =
      drivers::write_order_acknowledgement(original, message, is_known, r.source, header);
}

}  // namespace hemalink::orders
