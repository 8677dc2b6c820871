#include "server/api/router.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api/api_error.hpp"
#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using config::ApiRole;
using hemalink::api::testing::request;
using nlohmann::json;

struct Tokens {
  NewToken viewer = make_token();
  NewToken technologist = make_token();
};

Router test_router(const Tokens& t) {
  Router r(TokenBook({{"vera", ApiRole::Viewer, t.viewer.sha256},
                      {"tom", ApiRole::Technologist, t.technologist.sha256}}));
  r.add({"GET", "/healthz", std::nullopt, {}, [](const RouteCall&) {
           return json_response({{"status", "alive"}});
         }});
  r.add({"GET",
         "/api/v1/specimens/{specimen_id}",
         ApiRole::Viewer,
         {"limit"},
         [](const RouteCall& c) {
           return json_response({{"id", c.param("specimen_id")},
                                 {"limit", c.query("limit").value_or("")},
                                 {"actor", c.actor()}});
         }});
  r.add({"POST",
         "/api/v1/review/{result_id}/release",
         ApiRole::Technologist,
         {},
         [](const RouteCall&) -> RouteAnswer {
           return Error{Errc::Conflict, "result 7 is not held"};
         }});
  r.add({"GET", "/api/v1/broken", ApiRole::Viewer, {}, [](const RouteCall&) -> ApiResponse {
           throw std::runtime_error("secret database detail");
         }});
  return r;
}

json error_of(const ApiResponse& r) {
  return json::parse(r.body).at("error");
}

TEST(Router, APublicRouteNeedsNoTokenAndAnswersWithItsPattern) {
  const Tokens t;
  const auto r = test_router(t).answer(request("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.route, "/healthz");
  EXPECT_EQ(json::parse(r.body)["status"], "alive");
}

TEST(Router, PathValuesAreDecodedAndTheCallerIsNamed) {
  const Tokens t;
  const auto r = test_router(t).answer(
      request("GET", "/api/v1/specimens/SMP%2001%5E2", t.viewer.token, {{"limit", "5"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["id"], "SMP 01^2");
  EXPECT_EQ(body["limit"], "5");
  EXPECT_EQ(body["actor"], "user:vera");
  EXPECT_EQ(r.route, "/api/v1/specimens/{specimen_id}") << "the log names the pattern, not the ID";
}

TEST(Router, NoTokenOrAnUnknownOneIs401WithAChallenge) {
  const Tokens t;
  const auto router = test_router(t);
  for (const auto& token : {std::string(), std::string("hl_forged")}) {
    const auto r = router.answer(request("GET", "/api/v1/specimens/S1", token));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error_of(r)["code"], "unauthorized");
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  }
}

TEST(Router, ARoleBelowTheRoutesIs403AndOneAtItIsLetThrough) {
  const Tokens t;
  const auto router = test_router(t);
  const auto denied = router.answer(request("POST", "/api/v1/review/7/release", t.viewer.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(error_of(denied)["message"].get<std::string>().find("technologist"), std::string::npos);
  const auto allowed =
      router.answer(request("POST", "/api/v1/review/7/release", t.technologist.token));
  EXPECT_EQ(allowed.status, 409) << "the route ran and said what it threw";
  EXPECT_EQ(error_of(allowed)["code"], "conflict");
  EXPECT_EQ(error_of(allowed)["message"], "result 7 is not held");
}

TEST(Router, UnknownPathsAre404AndWrongMethods405WithAllow) {
  const Tokens t;
  const auto router = test_router(t);
  EXPECT_EQ(router.answer(request("GET", "/api/v1/nothing", t.viewer.token)).status, 404);
  EXPECT_EQ(router.answer(request("GET", "/api/v1/specimens", t.viewer.token)).status, 404);
  const auto r = router.answer(request("DELETE", "/healthz"));
  EXPECT_EQ(r.status, 405);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET");
}

TEST(Router, AnUnknownQueryParameterIsRefusedByName) {
  const Tokens t;
  const auto r = test_router(t).answer(
      request("GET", "/api/v1/specimens/S1", t.viewer.token, {{"limti", "5"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_of(r)["message"].get<std::string>().find("\"limti\""), std::string::npos);
}

TEST(Router, AnyOtherExceptionIsA500ThatHidesItsTextAndNamesTheRequest) {
  const Tokens t;
  const auto r = test_router(t).answer(request("GET", "/api/v1/broken", t.viewer.token));
  EXPECT_EQ(r.status, 500);
  const auto message = error_of(r)["message"].get<std::string>();
  EXPECT_EQ(message.find("secret"), std::string::npos);
  EXPECT_NE(message.find("test-1"), std::string::npos);
}

TEST(Router, QueryStringsAreDecodedAndBadEscapesNamed) {
  const auto q = parse_query("patient=P%2077&code=HGB&&since=2026-11-28+10%3A00");
  ASSERT_TRUE(q) << q.error().detail;
  EXPECT_EQ(q->at("patient"), "P 77");
  EXPECT_EQ(q->at("since"), "2026-11-28 10:00");
  const auto bad = parse_query("code=%G1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::BadRequest);
  EXPECT_NE(bad.error().detail.find("code"), std::string::npos);
  EXPECT_FALSE(percent_decoded("abc%2", false));
  EXPECT_EQ(percent_decoded("a+b", false), "a+b");
}

}  // namespace
}  // namespace hemalink::api
