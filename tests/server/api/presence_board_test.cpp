// Who has which specimen open, without a socket: the messages a page may send and those refused
// with why, the presence events a change publishes (and a repeat does not), a session's end
// clearing its specimen, and the snapshot a page that just connected is told.
#include "server/api/presence_board.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hemalink::api {
namespace {

using nlohmann::json;

std::vector<json> presence_events(EventHub::Subscription& s) {
  std::vector<json> out;
  for (const auto& e : s.take())
    out.push_back(json::parse(*e));
  return out;
}

TEST(PresenceBoard, APageSaysWhichSpecimenItHasOpenOrNone) {
  const auto open = presence_claim(R"({"type": "presence", "specimen_row_id": 42})");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->specimen_row_id, 42);
  const auto none = presence_claim(R"({"type": "presence", "specimen_row_id": null})");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->specimen_row_id, std::nullopt);
}

TEST(PresenceBoard, AnythingElseIsRefusedSayingWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not a JSON object"},
      {"[1]", "not a JSON object"},
      {R"({"type": "hello", "specimen_row_id": 1})", "type: expected \"presence\""},
      {R"({"specimen_row_id": 1})", "type: expected \"presence\""},
      {R"({"type": "presence"})", "specimen_row_id: required (null when no specimen is open)"},
      {R"({"type": "presence", "specimen_row_id": "7"})",
       "specimen_row_id: expected a specimen's row ID or null, got \"7\""},
      {R"({"type": "presence", "specimen_row_id": 0})",
       "specimen_row_id: expected a specimen's row ID or null, got 0"},
      {R"({"type": "presence", "specimen_row_id": 1.5})",
       "specimen_row_id: expected a specimen's row ID or null, got 1.5"},
      {R"({"type": "presence", "specimen_row_id": 1, "user": "ada"})", "unknown key \"user\""},
  };
  for (const auto& [message, why] : cases) {
    const auto claim = presence_claim(message);
    ASSERT_FALSE(claim) << message;
    EXPECT_EQ(claim.error(), why) << message;
  }
}

TEST(PresenceBoard, EachChangeIsPublishedOnceAndTheEndOfASessionClearsIt) {
  EventHub hub;
  PresenceBoard board(hub);
  auto events = hub.subscribe([] {}, std::nullopt);
  const auto tom = board.join("tom");
  const auto anna = board.join("anna");
  EXPECT_NE(tom, anna);
  board.open(tom, 42);
  board.open(tom, 42);
  board.open(anna, 42);
  board.open(tom, 43);
  board.leave(tom);
  board.leave(anna);
  board.open(anna, 44);
  const auto seen = presence_events(*events);
  ASSERT_EQ(seen.size(), 5u) << json(seen).dump();
  const auto is = [](const json& e, const char* user, std::uint64_t session, json specimen) {
    return e["type"] == "presence" && e["user"] == user && e["session"] == session &&
           e["specimen_row_id"] == specimen;
  };
  EXPECT_TRUE(is(seen[0], "tom", tom, 42)) << seen[0];
  EXPECT_TRUE(is(seen[1], "anna", anna, 42)) << seen[1];
  EXPECT_TRUE(is(seen[2], "tom", tom, 43)) << seen[2];
  EXPECT_TRUE(is(seen[3], "tom", tom, nullptr)) << seen[3];
  EXPECT_TRUE(is(seen[4], "anna", anna, nullptr)) << seen[4];
}

TEST(PresenceBoard, ASessionWithNothingOpenEndsWithoutAnEvent) {
  EventHub hub;
  PresenceBoard board(hub);
  auto events = hub.subscribe([] {}, std::nullopt);
  const auto vera = board.join("vera");
  board.open(vera, std::nullopt);
  board.leave(vera);
  EXPECT_TRUE(events->take().empty());
}

TEST(PresenceBoard, ASnapshotSaysWhoHasWhatOpenAndTheSessionsOwnId) {
  EventHub hub;
  PresenceBoard board(hub);
  const auto tom = board.join("tom");
  const auto anna = board.join("anna");
  board.join("vera");
  board.open(tom, 42);
  board.open(anna, 7);
  board.open(anna, std::nullopt);
  const auto newcomer = board.join("anna");
  const auto snapshot = json::parse(board.snapshot(newcomer));
  EXPECT_EQ(snapshot["type"], "presence_snapshot");
  EXPECT_EQ(snapshot["session"], newcomer);
  EXPECT_FALSE(snapshot.contains("seq")) << "not an event of the hub: nothing to resume from";
  EXPECT_EQ(snapshot["present"],
            (json::array({{{"user", "tom"}, {"session", tom}, {"specimen_row_id", 42}}})));
}

}  // namespace
}  // namespace hemalink::api
