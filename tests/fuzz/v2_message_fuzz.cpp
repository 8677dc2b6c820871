// HL7 v2 on arbitrary text: parse never crashes, paths and escapes read anything, segments
// round-trip through the writer, and an ACK can always be built.
#include <cstddef>
#include <cstdint>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/orders/hl7_orders.hpp"
#include "protocols/hl7/v2_ack.hpp"
#include "protocols/hl7/v2_escape.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "protocols/hl7/v2_writer.hpp"
#include "tests/fuzz/fuzz_bug.hpp"

using namespace hemalink::hl7;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string ack;
  build_ack(AckContext::from_raw(text), AckCode::AR, AckError{"MSH", 1, 0, 100, text.substr(0, 40)},
            {}, ack);
  HL_FUZZ_CHECK(V2Message::parse(ack).has_value());
  // The first bytes, read as a path, must parse or fail cleanly.
  auto path = V2Path::parse(text.substr(0, 16));
  auto parsed = V2Message::parse(text);
  if (!parsed) {
    HL_FUZZ_CHECK(!parsed.error().detail.empty());
    return 0;
  }
  if (path) {
    (void)parsed->get(*path);
    (void)parsed->text_at(*path);
  }
  // The order readers read whatever parses as orders, or refuse with an error naming why.
  if (auto orders = hemalink::drivers::read_hl7_orders(*parsed); !orders) {
    HL_FUZZ_CHECK(!orders.error().detail.empty());
  }
  // Every driver translates whatever parses, or refuses with an error: never a crash.
  for (auto name : hemalink::drivers::driver_names()) {
    auto driver = hemalink::drivers::make_driver(name, {});
    auto translation = driver->translate(*parsed);
    if (!translation) {
      HL_FUZZ_CHECK(!translation.error().detail.empty());
    }
  }
  const auto& e = parsed->encoding();
  std::string rewritten;
  for (std::size_t i = 0; i < parsed->segment_count(); ++i) {
    auto s = parsed->segment(i);
    for (std::size_t f = 0; f < s.field_count(); ++f) {
      auto plain = unescape(s.field(f), e);
      std::string escaped;
      escape_into(plain, e, escaped);
      HL_FUZZ_CHECK(unescape(escaped, e) == plain);
    }
    std::string one;
    write_segment(s, e, one);
    HL_FUZZ_CHECK(one.substr(0, one.size() - 1) == s.raw());
    rewritten += one;
  }
  auto again = V2Message::parse(rewritten);
  HL_FUZZ_CHECK(again.has_value());
  HL_FUZZ_CHECK(again->segment_count() == parsed->segment_count());
  std::string reply;
  build_ack(AckContext::from(*parsed), AckCode::AA, std::nullopt, {}, reply);
  HL_FUZZ_CHECK(V2Message::parse(reply).has_value());
  return 0;
}
