// The E1381 link on arbitrary bytes: fed in pieces whose sizes come from the input, with timer
// expiries, sends and deferred acknowledgements interleaved. It must never crash, and feeding
// the same bytes whole must report the same messages.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "tests/fuzz/fuzz_bug.hpp"

namespace {

using namespace hemalink;
using namespace hemalink::astm;

class Sink final : public LinkSink {
 public:
  explicit Sink(bool parse) : parse_(parse) {}
  void on_write(std::string_view bytes) override { written += bytes.size(); }
  void on_arm_timer(LinkTimer, milliseconds) override {}
  void on_cancel_timer(LinkTimer) override {}
  void on_message(std::string_view records, MessageEnd, std::size_t) override {
    messages.emplace_back(records);
    if (parse_) {
      auto m = Lis2Message::parse(std::string(records));
      if (m) {
        for (std::size_t i = 0; i < m->record_count(); ++i) {
          auto r = m->record(i);
          for (std::size_t f = 0; f < r.field_count(); ++f) {
            (void)unescape(r.field(f), m->delimiters());
          }
        }
      }
    }
  }
  void on_error(const ParseError& e, std::string_view) override {
    errors += e.detail.empty() ? 0 : 1;
  }
  void on_notice(LinkNotice, std::size_t) override {}
  void on_sent(std::uint64_t, std::error_code) override {}

  std::vector<std::string> messages;
  std::size_t written = 0;
  std::size_t errors = 0;

 private:
  bool parse_;
};

LinkOptions options_from(std::uint8_t flags) {
  LinkOptions o;
  o.mode = (flags & 0x80) ? LinkMode::Bare : LinkMode::E1381;
  o.accept_frames_without_enq = flags & 0x01;
  o.accept_lf_as_cr_in_checksum = flags & 0x02;
  o.accept_lenient_frame_trailer = flags & 0x04;
  o.accept_any_frame_number = flags & 0x08;
  o.accept_unpadded_checksum = flags & 0x10;
  o.accept_bad_checksum = flags & 0x20;
  o.skip_hash_comment_lines = flags & 0x40;
  o.max_frame_text = 4096;
  o.limits.max_message_bytes = 16384;
  o.limits.max_records = 500;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const auto options = options_from(data[0]);
  const std::uint8_t chunk = static_cast<std::uint8_t>(data[1] | 1);
  const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  // Whole, and in pieces: the same messages either way.
  Sink whole(true);
  {
    E1381Link link(options, whole);
    link.feed(as_bytes(bytes));
    link.finish();
  }
  Sink pieces(false);
  {
    E1381Link link(options, pieces);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      link.feed(as_bytes(bytes.substr(at, chunk)));
    }
    link.finish();
  }
  HL_FUZZ_CHECK(whole.messages == pieces.messages);

  // Interleave the session's own actions: sends, timeouts, acknowledgements.
  LinkOptions deferred = options;
  deferred.defer_message_ack = true;
  Sink driven(false);
  E1381Link link(deferred, driven);
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    link.feed(as_bytes(bytes.substr(at, chunk)));
    switch (static_cast<std::uint8_t>(bytes[at]) % 7) {
      case 0:
        link.on_timeout(LinkTimer::Phase);
        break;
      case 1:
        link.on_timeout(LinkTimer::SendBackoff);
        break;
      case 2:
        link.send("H|\\^&\rL|1|N\r");
        break;
      case 3:
        link.acknowledge_message();
        break;
      case 4:
        link.refuse_message();
        break;
      default:
        break;
    }
  }
  link.finish();
  return 0;
}
