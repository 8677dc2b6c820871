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
  lab.rules.reload_answer = {true, "v1#a", "v2#b", {}};
  const auto events = lab.events.subscribe([] {}, std::nullopt);
  const auto router = lab.router();
  EXPECT_EQ(router.answer(request("POST", "/api/v1/rules/reload", lab.technologist.token)).status,
            403);
  const auto r = router.answer(request("POST", "/api/v1/rules/reload", lab.admin.token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"rule_set_version":"v2#b","previous_version":"v1#a"})"));
  EXPECT_EQ(lab.rules.reloaded_by, std::vector<std::string>{"user:ada"}) << "audited as ada";
  const auto published = events->take();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(json::parse(*published[0])["type"], "rules_reloaded");
}

TEST(RulesRoutes, ARefusedReloadIs422WithEveryErrorAndTheSetThatStays) {
  FakeLab lab;
  lab.rules.reload_answer = {false, "v1#a", "v1#a", {"rules.json:1:2: no when", "no action"}};
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

}  // namespace
}  // namespace hemalink::api
