// Messages and the audit log over a fake LabRecords.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(RecordRoutes, AMessageIsReadByItsUuidOnlyAndByAnAdminOnly) {
  FakeLab lab;
  const std::string id = "0b7e8a52-63a4-4c55-9d8f-21b4a8d0f6a1";
  lab.records.messages[id] = R"({"message_id":")" + id + R"(","status":"accepted"})";
  const auto router = lab.router();
  const auto read = router.answer(request("GET", "/api/v1/messages/" + id, lab.admin.token));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, lab.records.messages[id]);
  EXPECT_EQ(router.answer(request("GET", "/api/v1/messages/" + id, lab.technologist.token)).status,
            403);
  const auto not_uuid =
      router.answer(request("GET", "/api/v1/messages/not-a-uuid", lab.admin.token));
  EXPECT_EQ(not_uuid.status, 404);
  EXPECT_NE(not_uuid.body.find("message IDs are UUIDs"), std::string::npos);
  EXPECT_EQ(router
                .answer(request("GET", "/api/v1/messages/00000000-0000-0000-0000-000000000000",
                                lab.admin.token))
                .status,
            404);
}

TEST(RecordRoutes, TheAuditLogIsItsEntriesWithTheSinceInUtc) {
  FakeLab lab;
  lab.records.audit_rows = R"([{"id":1,"actor":"user:ada"}])";
  const auto router = lab.router();
  const auto r =
      router.answer(request("GET", "/api/v1/audit", lab.viewer.token, {{"since", "2026-11-28"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"entries":[{"id":1,"actor":"user:ada"}]})"));
  ASSERT_EQ(lab.records.since_asked.size(), 1u);
  EXPECT_EQ(lab.records.since_asked[0], "2026-11-28T00:00:00.000000Z");
  EXPECT_EQ(
      router.answer(request("GET", "/api/v1/audit", lab.viewer.token, {{"limit", "x"}})).status,
      400);
}

}  // namespace
}  // namespace hemalink::api
