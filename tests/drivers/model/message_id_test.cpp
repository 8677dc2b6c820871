#include "drivers/model/message_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace hemalink::model {
namespace {

TEST(MessageId, IsAVersion7UuidThatRoundTripsThroughText) {
  const auto id = MessageId::generate();
  const auto text = id.to_string();
  ASSERT_EQ(text.size(), 36U);
  EXPECT_EQ(text[14], '7') << text;
  EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
  EXPECT_EQ(MessageId::parse(text), id);
  EXPECT_FALSE(id.is_nil());
}

TEST(MessageId, LaterIdsSortAfterEarlierOnes) {
  std::set<MessageId> seen;
  MessageId previous = MessageId::generate();
  for (int i = 0; i < 1000; ++i) {
    const auto id = MessageId::generate();
    EXPECT_TRUE(seen.insert(id).second);
    // Same millisecond: random order is allowed; different millisecond: must sort.
    if (id.to_string().substr(0, 13) != previous.to_string().substr(0, 13)) {
      EXPECT_LT(previous, id);
    }
    previous = id;
  }
}

TEST(MessageId, ParseRefusesWhatIsNotAUuid) {
  EXPECT_FALSE(MessageId::parse(""));
  EXPECT_FALSE(MessageId::parse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5"));
  EXPECT_FALSE(MessageId::parse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g"));
  EXPECT_FALSE(MessageId::parse("0190a1b2xc3d4-7e5f-8a9b-0c1d2e3f4a5b"));
  EXPECT_TRUE(MessageId::parse("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"));
}

}  // namespace
}  // namespace hemalink::model
