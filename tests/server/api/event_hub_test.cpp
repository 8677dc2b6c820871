#include "server/api/event_hub.hpp"

#include <gtest/gtest.h>

namespace hemalink::api {
namespace {

using nlohmann::json;

std::vector<json> parsed(const std::vector<EventHub::Event>& events) {
  std::vector<json> out;
  for (const auto& e : events)
    out.push_back(json::parse(*e));
  return out;
}

TEST(EventHub, SubscribersGetEachNewEventInOrderWithItsSequenceNumber) {
  EventHub hub;
  int wakes = 0;
  auto s = hub.subscribe([&] { ++wakes; }, std::nullopt);
  hub.publish("message", {{"analyzer", "xn-1"}});
  hub.publish("held", {{"held", 2}});
  const auto events = parsed(s->take());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "message");
  EXPECT_EQ(events[0]["analyzer"], "xn-1");
  EXPECT_EQ(events[0]["seq"], 1);
  EXPECT_EQ(events[1]["seq"], 2);
  EXPECT_TRUE(events[1].contains("at"));
  EXPECT_EQ(wakes, 2);
  EXPECT_TRUE(s->take().empty());
}

TEST(EventHub, AClientResumingFromASequenceNumberGetsWhatItMissed) {
  EventHub hub(3);
  for (int i = 0; i < 5; ++i)
    hub.publish("message", {{"n", i}});
  const auto resumed = parsed(hub.subscribe([] {}, 3)->take());
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0]["seq"], 4);
  EXPECT_EQ(resumed[1]["seq"], 5);
  const auto too_late = parsed(hub.subscribe([] {}, 0)->take());
  ASSERT_EQ(too_late.size(), 4u) << "a gap, then the three kept";
  EXPECT_EQ(too_late[0]["type"], "gap");
  EXPECT_EQ(too_late[0]["from"], 1);
  EXPECT_EQ(too_late[0]["to"], 2);
  EXPECT_EQ(too_late[1]["seq"], 3);
  EXPECT_TRUE(hub.subscribe([] {}, 5)->take().empty());
}

TEST(EventHub, AClientThatFallsBehindIsToldAndHoldsNothing) {
  EventHub hub;
  auto slow = hub.subscribe([] {}, std::nullopt, 4);
  auto keeping_up = hub.subscribe([] {}, std::nullopt, 4);
  for (int i = 0; i < 3; ++i)
    hub.publish("message", {{"n", i}});
  EXPECT_EQ(keeping_up->take().size(), 3u);
  for (int i = 0; i < 1000; ++i)
    hub.publish("message", {{"n", i}});
  EXPECT_TRUE(slow->fell_behind());
  EXPECT_TRUE(slow->take().empty()) << "its queue was let go, not grown";
  EXPECT_TRUE(keeping_up->fell_behind());
}

TEST(EventHub, ASubscriptionLetGoIsForgotten) {
  EventHub hub;
  int wakes = 0;
  {
    auto s = hub.subscribe([&] { ++wakes; }, std::nullopt);
  }
  hub.publish("message", {});
  EXPECT_EQ(wakes, 0);
}

}  // namespace
}  // namespace hemalink::api
