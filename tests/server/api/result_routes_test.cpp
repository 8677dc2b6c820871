// The specimen and result search routes over a fake LabRecords: what they ask of the records,
// the parameters they refuse (400 naming it), 404s, and the database's failures as statuses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using store::StoreErrc;
using testing::FakeLab;
using testing::request;

std::string message_of(const ApiResponse& r) {
  return json::parse(r.body)["error"]["message"].get<std::string>();
}

TEST(ResultRoutes, ASpecimenIsTheRecordsDocumentOr404NamingIt) {
  FakeLab lab;
  lab.records.specimens["S-1"] = R"({"specimen_id":"S-1","transmissions":[]})";
  const auto router = lab.router();
  const auto found = router.answer(request("GET", "/api/v1/specimens/S-1", lab.viewer.token));
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(json::parse(found.body), json::parse(lab.records.specimens["S-1"]));
  const auto absent = router.answer(request("GET", "/api/v1/specimens/S%202", lab.viewer.token));
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(message_of(absent), "no specimen \"S 2\"");
}

// A result's name is what its analyzer's mapping table calls its code; a code it does not name,
// or an analyzer not configured, gives the code.
TEST(ResultRoutes, EveryResultOfASpecimenIsNamedByItsAnalyzersTable) {
  FakeLab lab;
  lab.analyzers[0].test_names = {{"HGB", "Hemoglobin"}, {"PLT", "Platelets"}};
  lab.records.specimens["S-1"] = R"({"specimen_id": "S-1", "transmissions": [
      {"analyzer": "xn-1", "results": [{"code": "HGB"}, {"code": "MCHC"}]},
      {"analyzer": "gone", "results": [{"code": "PLT"}]}]})";
  const auto r = lab.router().answer(request("GET", "/api/v1/specimens/S-1", lab.viewer.token));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto t = json::parse(r.body)["transmissions"];
  EXPECT_EQ(t[0]["results"][0]["name"], "Hemoglobin");
  EXPECT_EQ(t[0]["results"][1]["name"], "MCHC");
  EXPECT_EQ(t[1]["results"][0]["name"], "PLT");
}

TEST(ResultRoutes, TheSearchHandsEveryFilterToTheRecords) {
  FakeLab lab;
  const auto router = lab.router();
  const auto r = router.answer(request("GET", "/api/v1/results", lab.viewer.token,
                                       {{"analyzer", "xn-1"},
                                        {"code", "HGB"},
                                        {"patient", "P-77"},
                                        {"decision", "hold"},
                                        {"since", "2026-11-28T10:15:00+01:00"},
                                        {"until", "2026-11-29"},
                                        {"limit", "5"},
                                        {"cursor", "42"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, lab.records.results);
  ASSERT_EQ(lab.records.searches.size(), 1u);
  const auto& q = lab.records.searches[0];
  EXPECT_EQ(q.analyzer, "xn-1");
  EXPECT_EQ(q.code, "HGB");
  EXPECT_EQ(q.patient, "P-77");
  EXPECT_EQ(q.decision, "hold");
  EXPECT_EQ(q.since, "2026-11-28T09:15:00.000000Z") << "the instant, in UTC";
  EXPECT_EQ(q.until, "2026-11-29T00:00:00.000000Z");
  EXPECT_EQ(q.limit, 5u);
  EXPECT_EQ(q.before_id, 42);
  router.answer(request("GET", "/api/v1/results", lab.viewer.token));
  EXPECT_EQ(lab.records.searches[1].limit, 100u) << "the default page";
  EXPECT_FALSE(lab.records.searches[1].before_id);
}

TEST(ResultRoutes, BadParametersAre400NamingTheParameterBeforeAnyRead) {
  FakeLab lab;
  const auto router = lab.router();
  const std::pair<std::map<std::string, std::string, std::less<>>, std::string> cases[] = {
      {{{"cursor", "zz"}}, "cursor: "},
      {{{"cursor", "0"}}, "cursor: "},
      {{{"limit", "0"}}, "limit: "},
      {{{"limit", "1001"}}, "limit: "},
      {{{"decision", "maybe"}}, "decision: "},
      {{{"since", "yesterday"}}, "since: "},
      {{{"until", "2026-02-30"}}, "until: "},
      {{{"colour", "red"}}, "unknown query parameter \"colour\""},
  };
  for (const auto& [query, named] : cases) {
    const auto r = router.answer(request("GET", "/api/v1/results", lab.viewer.token, query));
    EXPECT_EQ(r.status, 400) << named;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "bad_request");
    EXPECT_TRUE(message_of(r).starts_with(named)) << message_of(r);
  }
  EXPECT_TRUE(lab.records.searches.empty());
}

TEST(ResultRoutes, TheDatabasesFailuresAnswer503400Or500) {
  FakeLab lab;
  const auto router = lab.router();
  const auto search = [&] {
    return router.answer(request("GET", "/api/v1/results", lab.viewer.token));
  };
  lab.records.failure = testing::store_error(StoreErrc::Retryable, "searching results: gone");
  const auto unreachable = search();
  EXPECT_EQ(unreachable.status, 503);
  EXPECT_EQ(json::parse(unreachable.body)["error"]["code"], "database_unavailable");
  EXPECT_NE(message_of(unreachable).find("searching results: gone"), std::string::npos);
  lab.records.failure =
      testing::store_error(StoreErrc::BadValue, "searching results: bad \"x\"\nCONTEXT: $2");
  const auto refused = search();
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(message_of(refused), "searching results: bad \"x\"") << "without the CONTEXT";
  lab.records.failure = testing::store_error(StoreErrc::Fatal, "secret schema detail");
  const auto failed = search();
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(message_of(failed).find("secret"), std::string::npos);
  EXPECT_NE(message_of(failed).find("test-1"), std::string::npos) << "names the request";
}

}  // namespace
}  // namespace hemalink::api
