// The whole API over the fakes: which role may call what, the caller's own route, and the OpenAPI
// description against the routes served.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(LabRouter, EachRoleIsAllowedWhatItMayAndRefusedTheRest) {
  FakeLab lab;
  const std::string message = "0b7e8a52-63a4-4c55-9d8f-21b4a8d0f6a1";
  lab.records.messages[message] = "{}";
  lab.records.specimens["S-1"] = "{}";
  lab.review.answer.json = R"({"decided_by":"user:tom","reason":"ok"})";
  const auto router = lab.router();
  struct Case {
    std::string method, target, body;
    int no_token, as_viewer, as_technologist, as_admin;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/analyzers", "", 401, 200, 200, 200},
      {"GET", "/api/v1/specimens/S-1", "", 401, 200, 200, 200},
      {"GET", "/api/v1/results", "", 401, 200, 200, 200},
      {"GET", "/api/v1/review", "", 401, 200, 200, 200},
      {"GET", "/api/v1/outbox", "", 401, 200, 200, 200},
      {"GET", "/api/v1/orders", "", 401, 200, 200, 200},
      {"GET", "/api/v1/orders/unmapped", "", 401, 200, 200, 200},
      {"GET", "/api/v1/qc/gates", "", 401, 200, 200, 200},
      {"GET", "/api/v1/qc/definitions", "", 401, 200, 200, 200},
      {"GET", "/api/v1/qc/xn-1/WBC", "", 401, 200, 200, 200},
      {"GET", "/api/v1/qc/xn-1/WBC/bracket", "", 401, 200, 200, 200},
      {"GET", "/api/v1/qc/averages", "", 401, 200, 200, 200},
      {"GET", "/api/v1/audit", "", 401, 200, 200, 200},
      {"GET", "/api/v1/openapi.json", "", 401, 200, 200, 200},
      {"GET", "/api/v1/messages/" + message, "", 401, 403, 403, 200},
      {"POST", "/api/v1/review/7/release", R"({"comment": "ok"})", 401, 403, 200, 200},
      {"POST", "/api/v1/review/7/reject", R"({"comment": "clot"})", 401, 403, 200, 200},
      {"GET", "/api/v1/review/comments", "", 401, 200, 200, 200},
      {"PUT", "/api/v1/review/comments/.ok", R"({"text": "Reviewed"})", 401, 403, 403, 200},
      // The code the admin's PUT above stored.
      {"DELETE", "/api/v1/review/comments/.ok", "", 401, 403, 403, 200},
      {"POST", "/api/v1/outbox/999999/resend", "", 401, 403, 403, 404},
      {"POST", "/api/v1/rules/reload", "", 401, 403, 403, 422},
      {"GET", "/api/v1/me", "", 401, 200, 200, 200},
      {"GET", "/api/v1/rules/firings", "", 401, 200, 200, 200},
      {"GET", "/api/v1/rules/versions", "", 401, 200, 200, 200},
      {"GET", "/api/v1/rules/versions/1", "", 401, 404, 404, 404},
      {"GET", "/api/v1/rules/diff", "", 401, 400, 400, 400},
      {"POST", "/api/v1/rules/versions", "{}", 401, 403, 400, 400},
      {"POST", "/api/v1/rules/versions/1/status", R"({"status": "shadow"})", 401, 403, 403, 404},
      {"GET", "/", "", 200, 200, 200, 200},
      {"GET", "/ui/app.js", "", 200, 200, 200, 200},
      {"GET", "/healthz", "", 200, 200, 200, 200},
      {"GET", "/metrics", "", 200, 200, 200, 200},
  };
  for (const auto& c : cases) {
    const std::pair<std::string, int> callers[] = {{"", c.no_token},
                                                   {lab.viewer.token, c.as_viewer},
                                                   {lab.technologist.token, c.as_technologist},
                                                   {lab.admin.token, c.as_admin}};
    for (const auto& [token, expected] : callers) {
      const auto r = router.answer(request(c.method, c.target, token, {}, c.body));
      EXPECT_EQ(r.status, expected)
          << c.method << " " << c.target << " with token \"" << token << "\": " << r.body;
    }
  }
  const auto forged = router.answer(request("GET", "/api/v1/analyzers", "hl_forged"));
  EXPECT_EQ(forged.status, 401);
  EXPECT_TRUE(std::any_of(forged.headers.begin(), forged.headers.end(),
                          [](const auto& h) { return h.first == "WWW-Authenticate"; }));
}

TEST(LabRouter, MeIsTheCallersUserAndRole) {
  FakeLab lab;
  const auto router = lab.router();
  EXPECT_EQ(json::parse(router.answer(request("GET", "/api/v1/me", lab.technologist.token)).body),
            (json{{"user", "tom"}, {"role", "technologist"}}));
  EXPECT_EQ(json::parse(router.answer(request("GET", "/api/v1/me", lab.admin.token)).body)["role"],
            "admin");
}

TEST(LabRouter, TheOpenApiDescriptionListsExactlyTheRoutesServed) {
  FakeLab lab;
  const auto router = lab.router();
  const auto doc = router.answer(request("GET", "/api/v1/openapi.json", lab.admin.token));
  ASSERT_EQ(doc.status, 200);
  const auto spec = json::parse(doc.body);
  EXPECT_EQ(spec["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::pair<std::string, std::string>> described;
  for (const auto& [path, operations] : spec["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      described.insert({upper, path});
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : router.routes())
    served.insert({route.method, route.pattern});
  EXPECT_EQ(described, served);
}

}  // namespace
}  // namespace hemalink::api
