// The outbox routes over a fake OutboxAdmin: the listing's filters, a resend's 200, 404 and 409.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(OutboxRoutes, TheRowsAreListedWithTheirFilters) {
  FakeLab lab;
  lab.outbox.rows_json = R"([{"outbox_id":3,"status":"sent"}])";
  const auto router = lab.router();
  const auto r =
      router.answer(request("GET", "/api/v1/outbox", lab.viewer.token,
                            {{"status", "sent"}, {"destination", "lis"}, {"limit", "7"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"rows":[{"outbox_id":3,"status":"sent"}]})"));
  ASSERT_EQ(lab.outbox.listed.size(), 1u);
  EXPECT_EQ(lab.outbox.listed[0].status, "sent");
  EXPECT_EQ(lab.outbox.listed[0].destination, "lis");
  EXPECT_EQ(lab.outbox.listed[0].limit, 7u);
  const auto bad =
      router.answer(request("GET", "/api/v1/outbox", lab.viewer.token, {{"status", "lost"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("status: expected one of pending, sent, dead"), std::string::npos);
}

TEST(OutboxRoutes, AResendIsAnAdminsAnd404ForNoRowAnd409ForAPendingOne) {
  FakeLab lab;
  lab.outbox.statuses = {{3, "sent"}, {4, "pending"}};
  const auto router = lab.router();
  const auto resend = [&](const std::string& id, const std::string& token,
                          const std::string& body = "") {
    return router.answer(request("POST", "/api/v1/outbox/" + id + "/resend", token, {}, body));
  };
  EXPECT_EQ(resend("3", lab.technologist.token).status, 403);
  const auto done = resend("3", lab.admin.token, "{}");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body), json::parse(R"({"outbox_id":3,"status":"pending"})"));
  EXPECT_EQ(lab.outbox.resent, std::vector<long long>{3});
  const auto pending = resend("4", lab.admin.token);
  EXPECT_EQ(pending.status, 409);
  EXPECT_NE(pending.body.find("the row is pending already"), std::string::npos);
  EXPECT_EQ(resend("999", lab.admin.token).status, 404);
  EXPECT_EQ(resend("x", lab.admin.token).status, 404);
  const auto with_body = resend("3", lab.admin.token, R"({"now": true})");
  EXPECT_EQ(with_body.status, 400);
  EXPECT_NE(with_body.body.find("a resend takes no body"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::api
