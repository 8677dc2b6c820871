// The rules routes over a fake RulesInForce.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(RulesRoutes, AReloadIsAnAdminsAnsweredWithBothVersionsAndPublished) {
  FakeLab lab;
  lab.rules.reload_answer = {true, "v1#a", "v2#b", {}, 4, "v3#c", "draft"};
  const auto events = lab.events.subscribe([] {}, std::nullopt);
  const auto router = lab.router();
  EXPECT_EQ(router.answer(request("POST", "/api/v1/rules/reload", lab.technologist.token)).status,
            403);
  const auto r = router.answer(request("POST", "/api/v1/rules/reload", lab.admin.token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"rule_set_version":"v2#b","previous_version":"v1#a",
                            "stored":{"id":4,"version":"v3#c","status":"draft"}})"));
  EXPECT_EQ(lab.rules.reloaded_by, std::vector<std::string>{"user:ada"}) << "audited as ada";
  const auto published = events->take();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(json::parse(*published[0])["type"], "rules_reloaded");
}

TEST(RulesRoutes, ARefusedReloadIs422WithEveryErrorAndTheSetThatStays) {
  FakeLab lab;
  lab.rules.reload_answer = {false, "v1#a", "v1#a", {"rules.json:1:2: no when", "no action"},
                             0,     "",     ""};
  const auto r = lab.router().answer(request("POST", "/api/v1/rules/reload", lab.admin.token));
  EXPECT_EQ(r.status, 422);
  const auto error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "rules_invalid");
  EXPECT_EQ(error["message"],
            "the rules were not reloaded (the running set v1#a stays): rules.json:1:2: no when; "
            "no action");
  const auto with_body = lab.router().answer(
      request("POST", "/api/v1/rules/reload", lab.admin.token, {}, R"({"file": "x"})"));
  EXPECT_EQ(with_body.status, 400);
}

TEST(RulesRoutes, TestingWithoutARuleSetIs409AndFiringsAreTheRecords) {
  FakeLab lab;
  lab.records.firings = R"([{"rule_id":"delta","fired":3,"held":1}])";
  const auto router = lab.router();
  const auto test =
      router.answer(request("POST", "/api/v1/rules/test", lab.viewer.token, {}, R"({"cases":[]})"));
  EXPECT_EQ(test.status, 409);
  EXPECT_EQ(json::parse(test.body)["error"]["code"], "no_rules");
  const auto firings = router.answer(request("GET", "/api/v1/rules/firings", lab.viewer.token));
  ASSERT_EQ(firings.status, 200);
  EXPECT_EQ(firings.body, lab.records.firings);
  EXPECT_EQ(lab.records.since_asked.at(0), std::nullopt) << "the records' default: a day";
}

const std::string kRules = R"({"version": "t", "rules": [
    {"id": "wbc", "applies_to": ["WBC"], "when": "value < 11", "action": "release"}]})";

std::string upload(const std::string& text) {
  return json{{"files", {{{"name", "lab.json"}, {"text", text}}}}, {"reason", "wider WBC"}}.dump();
}

TEST(RulesRoutes, AnUploadedCandidateIsStoredAsADraftByTheTechnologist) {
  FakeLab lab;
  const auto router = lab.router();
  EXPECT_EQ(
      router.answer(request("POST", "/api/v1/rules/versions", lab.viewer.token, {}, upload(kRules)))
          .status,
      403);
  const auto r = router.answer(
      request("POST", "/api/v1/rules/versions", lab.technologist.token, {}, upload(kRules)));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = json::parse(r.body);
  EXPECT_TRUE(v["version"].get<std::string>().starts_with("t#")) << v;
  EXPECT_EQ(v["status"], "draft");
  EXPECT_EQ(v["author"], "user:tom");
  EXPECT_EQ(v["reason"], "wider WBC");
  ASSERT_EQ(lab.versions.rows.size(), 1u);
  EXPECT_EQ(lab.versions.rows[0].content[0].text, kRules);

  const auto listed = router.answer(request("GET", "/api/v1/rules/versions", lab.viewer.token));
  EXPECT_EQ(json::parse(listed.body)["versions"][0]["id"], v["id"]);
  const auto shown = router.answer(request("GET", "/api/v1/rules/versions/1", lab.viewer.token));
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(json::parse(shown.body)["content"][0]["text"], kRules);
}

TEST(RulesRoutes, AnUploadWithErrorsIs422WithEachErrorsFileLineAndColumn) {
  FakeLab lab;
  const auto r = lab.router().answer(
      request("POST", "/api/v1/rules/versions", lab.technologist.token, {},
              upload("{\n  \"rules\": [\n    {\"id\": \"x\", \"applies_to\": [\"WBC\"], "
                     "\"when\": \"valu > 1\", \"action\": \"release\"}]}")));
  ASSERT_EQ(r.status, 422) << r.body;
  const auto error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "rules_invalid");
  ASSERT_EQ(error["errors"].size(), 1u);
  EXPECT_EQ(error["errors"][0]["file"], "lab.json");
  EXPECT_EQ(error["errors"][0]["line"], 3);
  EXPECT_GT(error["errors"][0]["column"].get<int>(), 1);
  EXPECT_EQ(error["errors"][0]["where"], "rule \"x\"");
  EXPECT_TRUE(lab.versions.rows.empty()) << "nothing stored";
  const auto no_files = lab.router().answer(
      request("POST", "/api/v1/rules/versions", lab.technologist.token, {}, R"({"reason": "x"})"));
  EXPECT_EQ(no_files.status, 400);
}

TEST(RulesRoutes, APromotionIsAnAdminsAndPutsTheLiveSetInForce) {
  FakeLab lab;
  const auto router = lab.router();
  ASSERT_EQ(router
                .answer(request("POST", "/api/v1/rules/versions", lab.technologist.token, {},
                                upload(kRules)))
                .status,
            200);
  const auto body = R"({"status": "live", "backtest_id": 12, "comment": "reviewed"})";
  EXPECT_EQ(router
                .answer(request("POST", "/api/v1/rules/versions/1/status", lab.technologist.token,
                                {}, body))
                .status,
            403);
  const auto r =
      router.answer(request("POST", "/api/v1/rules/versions/1/status", lab.admin.token, {}, body));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "live");
  EXPECT_EQ(json::parse(r.body)["in_force"], "v2#b");
  ASSERT_EQ(lab.versions.changes.size(), 1u);
  EXPECT_EQ(lab.versions.changes[0].backtest_id, 12);
  EXPECT_EQ(lab.versions.changes[0].comment, "reviewed");
  EXPECT_EQ(lab.versions.changes[0].actor, "user:ada");
  EXPECT_EQ(lab.rules.followed, 1);
}

TEST(RulesRoutes, RefusedMovesAreAnsweredWithTheirReason) {
  FakeLab lab;
  const auto router = lab.router();
  const auto move = [&](const char* body) {
    return router.answer(
        request("POST", "/api/v1/rules/versions/1/status", lab.admin.token, {}, body));
  };
  lab.versions.refusal = Error{rules::VersionErrc::FalseNegativesUnexplained,
                               "backtest 12 found 3 would-be false negatives: an admin's "
                               "override comment is required"};
  const auto evidence = move(R"({"status": "live", "backtest_id": 12})");
  EXPECT_EQ(evidence.status, 422);
  EXPECT_EQ(json::parse(evidence.body)["error"]["code"], "promotion_refused");
  EXPECT_EQ(json::parse(evidence.body)["error"]["message"], lab.versions.refusal->detail);
  lab.versions.refusal = Error{rules::VersionErrc::ShadowTaken, "version 3 is in shadow already"};
  const auto taken = move(R"({"status": "shadow"})");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(json::parse(taken.body)["error"]["message"], "version 3 is in shadow already");
  EXPECT_EQ(move(R"({"status": "gone"})").status, 400);
  EXPECT_EQ(lab.rules.followed, 0) << "nothing went live";
}

TEST(RulesRoutes, TheDiffOfTwoStoredVersionsNamesTheChangedFields) {
  FakeLab lab;
  lab.versions.store({{"lab.json", kRules}}, "a", "user:tom", "", rules::StoreAs::Draft);
  auto wider = kRules;
  wider.replace(wider.find("11"), 2, "12");
  lab.versions.store({{"lab.json", wider}}, "b", "user:tom", "", rules::StoreAs::Draft);
  const auto router = lab.router();
  const auto r = router.answer(
      request("GET", "/api/v1/rules/diff", lab.viewer.token, {{"from", "1"}, {"to", "b"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto diff = json::parse(r.body);
  EXPECT_EQ(diff["from"], "a");
  EXPECT_EQ(diff["changed"][0]["id"], "wbc");
  EXPECT_EQ(diff["changed"][0]["fields"], json::array({"when"}));
  EXPECT_EQ(router
                .answer(request("GET", "/api/v1/rules/diff", lab.viewer.token,
                                {{"from", "1"}, {"to", "zz"}}))
                .status,
            404);
}

TEST(RulesRoutes, ACheckLoadsTheFilesWithoutStoringThemAndNamesEachErrorsPlace) {
  FakeLab lab;
  const auto router = lab.router();
  const auto ok =
      router.answer(request("POST", "/api/v1/rules/check", lab.viewer.token, {},
                            json{{"files", {{{"name", "lab.json"}, {"text", kRules}}}}}.dump()));
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto checked = json::parse(ok.body);
  EXPECT_TRUE(checked["version"].get<std::string>().starts_with("t#")) << checked;
  EXPECT_EQ(checked["rules"], 1);
  const auto bad =
      router.answer(request("POST", "/api/v1/rules/check", lab.viewer.token, {},
                            json{{"files",
                                  {{{"name", "a.json"}, {"text", kRules}},
                                   {{"name", "b.json"},
                                    {"text",
                                     "{\"rules\": [\n  {\"id\": \"y\", "
                                     "\"applies_to\": [\"PLT\"], \"when\": \"value <\", "
                                     "\"action\": \"hold\", \"reason\": \"low\"}]}"}}}}}
                                .dump()));
  ASSERT_EQ(bad.status, 422) << bad.body;
  const auto errors = json::parse(bad.body)["error"]["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors;
  EXPECT_EQ(errors[0]["file"], "b.json");
  EXPECT_EQ(errors[0]["line"], 2);
  EXPECT_EQ(errors[0]["where"], "rule \"y\"");
  EXPECT_TRUE(errors[0]["message"].get<std::string>().starts_with("when:")) << errors;
  EXPECT_TRUE(lab.versions.rows.empty()) << "a check stores nothing";
  EXPECT_EQ(
      router.answer(request("POST", "/api/v1/rules/check", lab.viewer.token, {}, "{}")).status,
      400);
}

// A stored version of kRules, as an upload leaves it; its ID.
long long stored_candidate(FakeLab& lab) {
  const auto r = lab.router().answer(
      request("POST", "/api/v1/rules/versions", lab.technologist.token, {}, upload(kRules)));
  return json::parse(r.body)["id"].get<long long>();
}

TEST(RulesRoutes, ABacktestOfAStoredVersionStartsForATechnologistOverThePeriodAndAnalyzersAsked) {
  FakeLab lab;
  const auto id = stored_candidate(lab);
  const auto router = lab.router();
  const auto body = json{
      {"candidate", id},
      {"from", "2026-11-30"},
      {"to", "2026-12-01T08:00"},
      {"analyzers",
       {"xn-1"}}}.dump();
  EXPECT_EQ(
      router.answer(request("POST", "/api/v1/rules/backtests", lab.viewer.token, {}, body)).status,
      403);
  const auto r =
      router.answer(request("POST", "/api/v1/rules/backtests", lab.technologist.token, {}, body));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(json::parse(r.body)["id"], 1);
  ASSERT_EQ(lab.backtests.started.size(), 1u);
  const auto& asked = lab.backtests.started[0];
  EXPECT_EQ(lab.backtests.candidates[0], lab.versions.rows[0].version);
  EXPECT_EQ(asked.candidate[0].text, kRules);
  EXPECT_EQ(asked.requested_by, "user:tom");
  EXPECT_EQ(asked.analyzers, std::vector<std::string>{"xn-1"});
  ASSERT_TRUE(asked.period.from && asked.period.to);
  EXPECT_EQ(*asked.period.to - *asked.period.from, std::chrono::hours(32));

  const auto by_version =
      router.answer(request("POST", "/api/v1/rules/backtests", lab.technologist.token, {},
                            json{{"candidate", lab.versions.rows[0].version}}.dump()));
  ASSERT_EQ(by_version.status, 202) << by_version.body;
  EXPECT_FALSE(lab.backtests.started[1].period.from) << "no period: the whole archive";
}

TEST(RulesRoutes, ASecondBacktestWhileOneRunsIs409NamingTheRunningOne) {
  FakeLab lab;
  const auto id = stored_candidate(lab);
  lab.backtests.running = 7;
  const auto r =
      lab.router().answer(request("POST", "/api/v1/rules/backtests", lab.technologist.token, {},
                                  json{{"candidate", id}}.dump()));
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_NE(
      json::parse(r.body)["error"]["message"].get<std::string>().find("backtest 7 is running"),
      std::string::npos)
      << r.body;
  EXPECT_TRUE(lab.backtests.started.empty());
}

TEST(RulesRoutes, ABacktestsFieldThatCannotBeReplayedIs422NamingIt) {
  FakeLab lab;
  const auto id = stored_candidate(lab);
  const auto router = lab.router();
  const std::pair<json, std::string> refused[] = {
      {{{"candidate", "nope"}}, "$.candidate"},
      {{{"candidate", id}, {"from", "2026-02-30"}}, "$.from"},
      {{{"candidate", id}, {"from", "2026-12-01"}, {"to", "2026-11-30"}}, "$.to"},
      {{{"candidate", id}, {"analyzers", {"xn-1", "cobas"}}}, "$.analyzers[1]"},
  };
  for (const auto& [body, field] : refused) {
    const auto r = router.answer(
        request("POST", "/api/v1/rules/backtests", lab.technologist.token, {}, body.dump()));
    ASSERT_EQ(r.status, 422) << body << r.body;
    const auto error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "backtest_invalid");
    EXPECT_TRUE(error["message"].get<std::string>().starts_with(field + ":")) << error;
  }
  const auto no_candidate = router.answer(
      request("POST", "/api/v1/rules/backtests", lab.technologist.token, {}, R"({"to": "x"})"));
  EXPECT_EQ(no_candidate.status, 400);
  EXPECT_NE(no_candidate.body.find("$.candidate"), std::string::npos) << no_candidate.body;
  EXPECT_TRUE(lab.backtests.started.empty());
}

TEST(RulesRoutes, BacktestsAreListedAndShownFromTheDesk) {
  FakeLab lab;
  lab.backtests.listed = R"([{"id":3,"status":"done"}])";
  lab.backtests.shown[3] = R"({"id":3,"status":"done","report":{"results":12}})";
  const auto router = lab.router();
  const auto listed =
      router.answer(request("GET", "/api/v1/rules/backtests", lab.viewer.token, {{"limit", "5"}}));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["backtests"], json::parse(lab.backtests.listed));
  EXPECT_EQ(lab.backtests.limits, std::vector<std::size_t>{5});
  const auto shown = router.answer(request("GET", "/api/v1/rules/backtests/3", lab.viewer.token));
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(json::parse(shown.body), json::parse(lab.backtests.shown[3]));
  EXPECT_EQ(router.answer(request("GET", "/api/v1/rules/backtests/4", lab.viewer.token)).status,
            404);
}

TEST(RulesRoutes, TheShadowsComparisonIsReadForAViewerAndAFailureIsNamed) {
  FakeLab lab;
  lab.shadow.compared = R"({"version":"v2#b","results":40,"false_negatives":1})";
  const auto router = lab.router();
  const auto now = router.answer(request("GET", "/api/v1/rules/shadow", lab.viewer.token));
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(json::parse(now.body), json::parse(lab.shadow.compared));
  const auto asked = router.answer(request("GET", "/api/v1/rules/shadow", lab.viewer.token,
                                           {{"version", "v1#a"}, {"limit", "7"}}));
  ASSERT_EQ(asked.status, 200);
  ASSERT_EQ(lab.shadow.asked.size(), 2U);
  EXPECT_EQ(lab.shadow.asked[0], std::make_pair(std::optional<std::string>(), std::size_t{50}));
  EXPECT_EQ(lab.shadow.asked[1],
            std::make_pair(std::optional<std::string>("v1#a"), std::size_t{7}));
  EXPECT_EQ(
      router.answer(request("GET", "/api/v1/rules/shadow", lab.viewer.token, {{"limit", "0"}}))
          .status,
      400);
  lab.shadow.failure = Error{store::StoreErrc::Retryable, "comparing the shadow decisions: gone"};
  const auto failed = router.answer(request("GET", "/api/v1/rules/shadow", lab.viewer.token));
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(failed.body.find("comparing the shadow decisions"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::api
