#include "server/store/resend_key.hpp"

#include <gtest/gtest.h>

namespace hemalink::store {
namespace {

TEST(ResendKey, Hl7SendTimeIsLeftOut) {
  EXPECT_EQ(without_send_time("MSH|^~\\&|A|B|C|D|20261122101500||ORU^R01|C1|P|2.5\rPID|1\r"),
            "MSH|^~\\&|A|B|C|D|||ORU^R01|C1|P|2.5\rPID|1\r");
  EXPECT_EQ(without_send_time("MSH#^~\\&#A#B#C#D#2026#"), "MSH#^~\\&#A#B#C#D##");
  // MSH-7 as the last field of the segment, and no MSH-7 at all.
  EXPECT_EQ(without_send_time("MSH|^~\\&|A|B|C|D|2026\rPID|1"), "MSH|^~\\&|A|B|C|D|\rPID|1");
  EXPECT_EQ(without_send_time("MSH|^~\\&|A|B\rPID|1|2|3|4|5|6|7"),
            "MSH|^~\\&|A|B\rPID|1|2|3|4|5|6|7");
  EXPECT_EQ(without_send_time("not hl7"), "not hl7");
}

TEST(ResendKey, TheSameMessageResentWithANewSendTimeHasTheSameKey) {
  const auto first =
      resend_key(model::WireProtocol::Hl7, "MSH|^~\\&|A|B|C|D|20261122101500||ORU^R01|C1");
  EXPECT_EQ(first.size(), 32U);
  EXPECT_EQ(first,
            resend_key(model::WireProtocol::Hl7, "MSH|^~\\&|A|B|C|D|20261122101531||ORU^R01|C1"));
  EXPECT_NE(first,
            resend_key(model::WireProtocol::Hl7, "MSH|^~\\&|A|B|C|D|20261122101500||ORU^R01|C2"));
  // ASTM compares the whole message: its H-14 time is part of what was sent.
  EXPECT_NE(resend_key(model::WireProtocol::Astm, "H|\\^&|||X|||||||P|1|20261122101500\r"),
            resend_key(model::WireProtocol::Astm, "H|\\^&|||X|||||||P|1|20261122101531\r"));
}

}  // namespace
}  // namespace hemalink::store
