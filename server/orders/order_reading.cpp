#include "server/orders/order_reading.hpp"

#include "drivers/orders/astm_orders.hpp"
#include "drivers/orders/hl7_orders.hpp"

namespace hemalink::orders {
namespace {

// A test's canonical code comes only from the table: a LIS code that happens to be a canonical
// code's name (`MCV`) is not MCV unless the table says so.
std::vector<records::OrderedCode> mapped_tests(const model::LabOrder& order,
                                               const config::LisMapping& mapping) {
  std::vector<records::OrderedCode> out;
  auto add = [&out](records::OrderedCode code) {
    for (const auto& o : out) {
      if (o.code == code.code && o.is_mapped == code.is_mapped)
        return;  // two panels that share a test order it once
    }
    out.push_back(std::move(code));
  };
  for (const auto& test : order.tests) {
    const auto canonical = mapping.ordered_tests(test.code);
    if (canonical.empty()) {
      add({test.code, test.code, false, test.text, test.coding_system});
    }
    for (const auto& code : canonical) {
      add({code, test.code, true, test.text, test.coding_system});
    }
  }
  return out;
}

Result<model::OrderMessage> read(const records::Receipt& receipt, Charset charset) {
  if (receipt.protocol == model::WireProtocol::Astm) {
    auto message = astm::Lis2Message::parse(receipt.raw);
    if (!message)
      return message.error();
    return drivers::read_astm_orders(*message, charset);
  }
  auto message = hl7::V2Message::parse(std::string(without_byte_order_mark(receipt.raw)));
  if (!message)
    return message.error();
  return drivers::read_hl7_orders(*message);
}

}  // namespace

records::OrderReceipt read_order_message(const records::Receipt& receipt,
                                         const config::LisMapping& mapping, Charset charset) {
  records::OrderReceipt out;
  out.id = receipt.id;
  out.source = receipt.analyzer;
  out.protocol = receipt.protocol;
  out.peer_address = receipt.peer_address;
  out.received_at = receipt.received_at;
  out.raw = receipt.raw;
  auto message = read(receipt, charset);
  if (!message) {
    out.refusal = message.error().describe();
    out.error_offset = static_cast<std::int64_t>(message.error().byte_offset);
    return out;
  }
  out.control_id = message->control_id;
  out.message_type = message->message_type;
  out.patient_update = message->patient_update;
  for (auto& order : message->orders) {
    auto tests = mapped_tests(order, mapping);
    out.orders.push_back({std::move(order), std::move(tests)});
  }
  return out;
}

}  // namespace hemalink::orders
