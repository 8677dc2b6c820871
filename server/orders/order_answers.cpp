#include "server/orders/order_answers.hpp"

#include <set>

#include "drivers/common/hl7_reply_header.hpp"
#include "drivers/orders/hl7_order_acknowledgement.hpp"
#include "protocols/common/charset.hpp"

namespace hemalink::orders {
namespace {

model::OrderMessage message_of(const records::OrderReceipt& r) {
  model::OrderMessage m;
  m.control_id = r.control_id;
  m.message_type = r.message_type;
  for (const auto& mapped : r.orders)
    m.orders.push_back(mapped.order);
  return m;
}

// The LIS codes stored unmapped: the answer says what was stored, not a second reading.
std::set<std::string, std::less<>> unmapped_codes(const records::OrderReceipt& r) {
  std::set<std::string, std::less<>> out;
  for (const auto& mapped : r.orders) {
    for (const auto& t : mapped.tests) {
      if (!t.is_mapped)
        out.insert(t.lis_code);
    }
  }
  return out;
}

}  // namespace

void answer_order_message(const records::OrderReceipt& r, store::Completion& c) {
  const auto original = hl7::AckContext::from_raw(without_byte_order_mark(r.raw));
  const auto message = message_of(r);
  const auto unmapped = unmapped_codes(r);
  const drivers::KnownTest is_known = [&unmapped](const model::OrderedTest& t) {
    return !unmapped.contains(t.code);
  };
  const auto errors = drivers::unknown_tests(message, is_known, r.source);
  c.answer_has_errors = !errors.empty();
  auto header =
      drivers::reply_header(model::MessageId::generate(), std::chrono::system_clock::now());
  if (!original.is_enhanced_mode) {
    if (!errors.empty())
      hl7::build_ack(original, hl7::AckCode::AE, errors, header, c.original_ack);
    return;
  }
  header.accept_type = "NE";
  header.application_type = "NE";
  c.application_ack =
      drivers::write_order_acknowledgement(original, message, is_known, r.source, header);
}

}  // namespace hemalink::orders
