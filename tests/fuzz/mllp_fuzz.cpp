// MLLP framing on arbitrary bytes: fed whole or in pieces it reports the same messages and
// errors, and never holds more than its limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/hl7/mllp.hpp"
#include "tests/fuzz/fuzz_bug.hpp"

using namespace hemalink;
using namespace hemalink::hl7;

namespace {

class Sink final : public MllpSink {
 public:
  void on_message(std::string_view payload, std::size_t offset) override {
    HL_FUZZ_CHECK(payload.size() <= kLimit);
    events.push_back("m" + std::to_string(offset) + ":" + std::string(payload));
  }
  void on_error(const ParseError& e, std::string_view raw) override {
    HL_FUZZ_CHECK(raw.size() <= kLimit);
    events.push_back("e" + std::to_string(e.byte_offset));
  }
  static constexpr std::size_t kLimit = 1024;
  std::vector<std::string> events;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  const std::size_t chunk = data[0] | 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Sink whole;
  {
    MllpFramer framer({Sink::kLimit}, whole);
    framer.feed(as_bytes(bytes));
    framer.finish();
  }
  Sink pieces;
  {
    MllpFramer framer({Sink::kLimit}, pieces);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      framer.feed(as_bytes(bytes.substr(at, chunk)));
    }
    framer.finish();
  }
  HL_FUZZ_CHECK(whole.events == pieces.events);
  return 0;
}
