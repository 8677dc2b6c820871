// LIS02-A2 records on arbitrary text: parse never crashes, every field is readable, and what
// parses round-trips through the writer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "drivers/driver.hpp"
#include "drivers/orders/astm_orders.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/astm/lis2_writer.hpp"
#include "tests/fuzz/fuzz_bug.hpp"

using namespace hemalink::astm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Lis2Leniency leniency;
  leniency.accept_doubled_repeat_delimiter = size % 2 == 0;
  auto parsed = Lis2Message::parse(text, {}, leniency);
  if (!parsed) {
    HL_FUZZ_CHECK(!parsed.error().detail.empty());
    HL_FUZZ_CHECK(parsed.error().byte_offset <= size ||
                  parsed.error().byte_offset == Lis2Limits{}.max_message_bytes);
    return 0;
  }
  // The order readers read whatever parses as orders, or refuse with an error naming why.
  if (auto orders = hemalink::drivers::read_astm_orders(*parsed, hemalink::Charset::Latin1);
      !orders) {
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
  const auto& d = parsed->delimiters();
  std::string rewritten;
  for (std::size_t i = 0; i < parsed->record_count(); ++i) {
    auto r = parsed->record(i);
    for (std::size_t f = 0; f < r.field_count(); ++f) {
      auto field = r.field(f);
      (void)component(field, d.component, 2);
      (void)part_count(field, d.repeat);
      std::string escaped;
      auto plain = unescape(field, d);
      escape_into(plain, d, escaped);
      HL_FUZZ_CHECK(unescape(escaped, d) == plain);
    }
    std::string one;
    write_record(r, d, one);
    HL_FUZZ_CHECK(one.substr(0, one.size() - 1) == r.raw());
    rewritten += one;
  }
  auto again = Lis2Message::parse(rewritten, {}, leniency);
  HL_FUZZ_CHECK(again.has_value());
  HL_FUZZ_CHECK(again->record_count() == parsed->record_count());
  return 0;
}
