#include "tests/support/mllp_messages.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocols/hl7/mllp.hpp"

namespace hemalink::testing {

std::vector<hl7::V2Message> mllp_messages(std::string_view written) {
  struct Collect : hl7::MllpSink {
    std::vector<std::string> payloads;
    void on_message(std::string_view p, std::size_t) override { payloads.emplace_back(p); }
    void on_error(const ParseError&, std::string_view) override { ADD_FAILURE(); }
  } collect;
  hl7::MllpFramer framer({}, collect);
  framer.feed(as_bytes(written));
  std::vector<hl7::V2Message> out;
  for (auto& p : collect.payloads) {
    auto m = hl7::V2Message::parse(p);
    EXPECT_TRUE(m) << p;
    if (m)
      out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace hemalink::testing
