// The review routes over a fake ReviewDesk: what an action hands the desk, how its outcomes are
// answered (200, 404, 409), the body refused naming its path, the event published and the
// daemon told of a rerun's order.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

std::string message_of(const ApiResponse& r) {
  return json::parse(r.body)["error"]["message"].get<std::string>();
}

TEST(ReviewRoutes, TheQueueIsTheDesksSpecimens) {
  FakeLab lab;
  lab.review.queue_json = R"([{"specimen_id":"S-STAT"}])";
  const auto r = lab.router().answer(request("GET", "/api/v1/review", lab.viewer.token));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"specimens":[{"specimen_id":"S-STAT"}]})"));
}

TEST(ReviewRoutes, EveryHeldResultIsNamedByItsAnalyzersTable) {
  FakeLab lab;
  lab.analyzers[0].test_names = {{"PT_SEC", "PT"}};
  lab.review.queue_json =
      R"([{"analyzer": "xn-1", "results": [{"code": "PT_SEC"}, {"code": "5902-2"}]}])";
  const auto r = lab.router().answer(request("GET", "/api/v1/review", lab.viewer.token));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto results = json::parse(r.body)["specimens"][0]["results"];
  EXPECT_EQ(results[0]["name"], "PT");
  EXPECT_EQ(results[1]["name"], "5902-2");
}

// The analyzer's range when it sent one, else the live set's interval for the test, its units,
// and the patient's sex and age at receipt, else none; each result says which.
TEST(ReviewRoutes, AResultWithoutTheAnalyzersRangeGetsTheRulesIntervalAndSaysWhere) {
  FakeLab lab;
  auto loaded = rules::RuleSet::load({{"cbc.json", R"json({"reference_intervals": [
    {"test": "HGB", "sex": "M", "age_from": 18, "low": 13.5, "high": 17.5, "units": "g/dL"},
    {"test": "HGB", "sex": "F", "age_from": 18, "low": 12.0, "high": 15.5, "units": "g/dL"},
    {"test": "HGB", "age_from": 1, "age_to": 18, "low": 11.0, "high": 15.5, "units": "g/dL"}],
    "rules": []})json"}});
  ASSERT_TRUE(loaded) << files::describe(loaded.error(), "\n");
  lab.rules.set = *loaded;
  lab.review.queue_json = R"([
    {"analyzer": "xn-1", "patient_sex": "M", "patient_age_years": 54, "results": [
      {"code": "HGB", "units": "g/dL", "reference_range": ""},
      {"code": "HGB", "units": "g/dL", "reference_range": "13.0-17.0"},
      {"code": "HGB", "units": "g/L", "reference_range": ""},
      {"code": "PLT", "units": "10*3/uL", "reference_range": ""}]},
    {"analyzer": "xn-1", "patient_sex": "F", "patient_age_years": 18.0, "results": [
      {"code": "HGB", "units": "g/dL", "reference_range": ""}]},
    {"analyzer": "xn-1", "patient_sex": "F", "patient_age_years": 17.9, "results": [
      {"code": "HGB", "units": "g/dL", "reference_range": ""}]},
    {"analyzer": "xn-1", "patient_sex": "", "patient_age_years": null, "results": [
      {"code": "HGB", "units": "g/dL", "reference_range": ""}]}])";
  const auto r = lab.router().answer(request("GET", "/api/v1/review", lab.viewer.token));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto specimens = json::parse(r.body)["specimens"];
  const auto shown = [&](std::size_t s, std::size_t i) {
    const auto& result = specimens[s]["results"][i];
    return result["reference_range"].dump() + " " + result["reference_source"].dump();
  };
  EXPECT_EQ(shown(0, 0), R"("13.5-17.5" "rules")");
  EXPECT_EQ(shown(0, 1), R"("13.0-17.0" "analyzer")");
  EXPECT_EQ(shown(0, 2), R"("" null)") << "an interval in g/dL is not shown beside g/L";
  EXPECT_EQ(shown(0, 3), R"("" null)") << "a test without interval";
  EXPECT_EQ(shown(1, 0), R"("12.0-15.5" "rules")");
  EXPECT_EQ(shown(2, 0), R"("11.0-15.5" "rules")");
  EXPECT_EQ(shown(3, 0), R"("" null)") << "neither sex nor age known";

  lab.rules.set = nullptr;
  const auto without = lab.router().answer(request("GET", "/api/v1/review", lab.viewer.token));
  ASSERT_EQ(without.status, 200) << without.body;
  const auto first = json::parse(without.body)["specimens"][0]["results"];
  EXPECT_EQ(first[0]["reference_source"], nullptr) << "no rule set in force";
  EXPECT_EQ(first[1]["reference_source"], "analyzer");
}

TEST(ReviewRoutes, AReleaseIsHandedToTheDeskAnsweredAndPublished) {
  FakeLab lab;
  lab.review.answer.json =
      R"({"result_id":7,"specimen_row_id":3,"code":"WBC","decision":"release","decided_by":"user:tom","reason":"repeat confirms","decided_at":"2026-11-28T10:42:00+00:00","value":"9.5","queued":[3]})";
  const auto events = lab.events.subscribe([] {}, std::nullopt);
  const auto r =
      lab.router().answer(request("POST", "/api/v1/review/7/release", lab.technologist.token, {},
                                  R"({"comment": "repeat confirms", "corrected_value": "9.5"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, lab.review.answer.json);
  ASSERT_EQ(lab.review.applied.size(), 1u);
  const auto& a = lab.review.applied[0];
  EXPECT_EQ(a.result_id, 7);
  EXPECT_EQ(a.verdict, review::ReviewVerdict::Release);
  EXPECT_EQ(a.actor, "user:tom");
  EXPECT_EQ(a.comment, "repeat confirms");
  EXPECT_EQ(a.corrected_value, "9.5");
  const auto published = events->take();
  ASSERT_EQ(published.size(), 1u);
  const auto event = json::parse(*published[0]);
  EXPECT_EQ(event["type"], "released");
  EXPECT_EQ(event["result_id"], 7);
  EXPECT_EQ(event["specimen_row_id"], 3) << "what a colleague's page needs to mark the row";
  EXPECT_EQ(event["code"], "WBC");
  EXPECT_EQ(event["decided_by"], "user:tom");
  EXPECT_EQ(event["decided_at"], "2026-11-28T10:42:00+00:00");
  EXPECT_EQ(event["reason"], "repeat confirms");
  EXPECT_TRUE(lab.daemon.changed_orders.empty());
}

TEST(ReviewRoutes, ARerunOfAnOrderedTestTellsTheDaemon) {
  FakeLab lab;
  lab.review.answer.json = R"({"result_id":8,"decision":"rerun","decided_by":"user:tom"})";
  lab.review.answer.ordered_again = "S-1";
  const auto r = lab.router().answer(request("POST", "/api/v1/review/8/rerun",
                                             lab.technologist.token, {}, R"({"comment": "clot"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(lab.review.applied.at(0).verdict, review::ReviewVerdict::Rerun);
  EXPECT_EQ(lab.daemon.changed_orders, std::vector<std::string>{"S-1"});
}

TEST(ReviewRoutes, AResultNotHeldIs409SayingItsDecisionAndAnAbsentOne404) {
  FakeLab lab;
  lab.review.answer.outcome = review::ReviewOutcome::NotHeld;
  lab.review.answer.json =
      R"({"decision":"release","decided_by":"user:tom","decided_at":"2026-11-28T10:15:00+00:00"})";
  const auto router = lab.router();
  const auto again = router.answer(request("POST", "/api/v1/review/7/reject",
                                           lab.technologist.token, {}, R"({"comment": "x"})"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json::parse(again.body)["error"]["code"], "conflict");
  EXPECT_EQ(message_of(again),
            "result 7 is not held: its decision is release by user:tom at "
            "2026-11-28T10:15:00+00:00");
  lab.review.answer.outcome = review::ReviewOutcome::NoSuchResult;
  const auto absent = router.answer(request("POST", "/api/v1/review/999/release",
                                            lab.technologist.token, {}, R"({"comment": "x"})"));
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(message_of(absent), "no result 999");
  EXPECT_EQ(router
                .answer(request("POST", "/api/v1/review/abc/release", lab.technologist.token, {},
                                R"({"comment": "x"})"))
                .status,
            404)
      << "not an ID: no such resource";
}

TEST(ReviewRoutes, ABodyTheActionCannotTakeIs400NamingItsPath) {
  FakeLab lab;
  const auto router = lab.router();
  const std::pair<std::string, std::string> cases[] = {
      {R"({"comment": )", "not JSON"},
      {R"({"comment": 42})", "$.comment"},
      {R"({"comment": "ok", "value": "1"})", "$.value: unknown key"},
      {R"({})", "$.comment"},
      {R"({"comment": "   "})", "$.comment"},
      {R"(["ok"])", "$: expected a JSON object"},
      {R"({"comment": "ok", "corrected_value": ""})", "$.corrected_value"},
  };
  for (const auto& [body, named] : cases) {
    const auto r = router.answer(
        request("POST", "/api/v1/review/7/release", lab.technologist.token, {}, body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(message_of(r).find(named), std::string::npos) << body << ": " << message_of(r);
  }
  const auto corrected_reject =
      router.answer(request("POST", "/api/v1/review/7/reject", lab.technologist.token, {},
                            R"({"comment": "x", "corrected_value": "1"})"));
  EXPECT_EQ(corrected_reject.status, 400);
  EXPECT_NE(message_of(corrected_reject).find("only a release reports a corrected value"),
            std::string::npos);
  EXPECT_TRUE(lab.review.applied.empty()) << "nothing refused reached the desk";
}

}  // namespace
}  // namespace hemalink::api
