// The QC routes over a fake QcRecords and the daemon's live QC state.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

qc::TestGate gate(std::string analyzer, std::string test, records::GateStatus status) {
  qc::TestGate g;
  g.analyzer = std::move(analyzer);
  g.test = std::move(test);
  g.state.status = status;
  g.state.is_under_qc = true;
  g.state.reason = "1-3s on level 2";
  g.last_run_at = std::chrono::sys_days(std::chrono::year(2026) / 11 / 28) + std::chrono::hours(10);
  return g;
}

TEST(QcRoutes, TheGatesOfOneAnalyzerOrAll) {
  FakeLab lab;
  lab.daemon.gates = {gate("xn-1", "WBC", records::GateStatus::Out),
                      gate("xn-2", "HGB", records::GateStatus::In)};
  const auto router = lab.router();
  const auto all = router.answer(request("GET", "/api/v1/qc/gates", lab.viewer.token));
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(json::parse(all.body)["gates"].size(), 2u);
  const auto one =
      router.answer(request("GET", "/api/v1/qc/gates", lab.viewer.token, {{"analyzer", "xn-1"}}));
  EXPECT_EQ(json::parse(one.body), json::parse(R"({"gates": [{"analyzer": "xn-1", "test": "WBC",
      "status": "out", "under_qc": true, "reason": "1-3s on level 2",
      "last_run_at": "2026-11-28T10:00:00Z", "rejected_at": null}]})"));
}

TEST(QcRoutes, ADefinitionIsStoredPutInForceAndAnsweredWithWhoAndWhen) {
  FakeLab lab;
  const auto r = lab.router().answer(request(
      "POST", "/api/v1/qc/definitions", lab.admin.token, {},
      R"({"analyzer": "xn-1", "test": "WBC", "level": "2", "lot": "L7", "mean": 7.1, "sd": 0.2,
          "reason": "new lot"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(lab.qc.put.size(), 1u);
  EXPECT_EQ(lab.qc.put[0].analyzer, "xn-1");
  EXPECT_EQ(lab.qc.put[0].mean, 7.1);
  EXPECT_EQ(lab.qc.put[0].changed_by, "user:ada");
  ASSERT_EQ(lab.daemon.defined.size(), 1u) << "in force now";
  EXPECT_EQ(lab.daemon.defined[0].key.lot, "L7");
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["source"], "api");
  EXPECT_EQ(body["sd"], 0.2);
  EXPECT_EQ(body["reason"], "new lot");
  EXPECT_EQ(body["changed_by"], "user:ada");
  EXPECT_EQ(body["changed_at"], "2026-11-28T10:15:00+00:00");
}

TEST(QcRoutes, ADefinitionForAnAnalyzerNotConfiguredIs400NamingIt) {
  FakeLab lab;
  const auto r = lab.router().answer(
      request("POST", "/api/v1/qc/definitions", lab.admin.token, {},
              R"({"analyzer": "xn-9", "test": "WBC", "level": "2", "reason": "x"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("$.analyzer: no analyzer \\\"xn-9\\\" is configured"), std::string::npos)
      << r.body;
  EXPECT_TRUE(lab.qc.put.empty());
  EXPECT_TRUE(lab.daemon.defined.empty());
}

TEST(QcRoutes, TheSeriesAsksForItsTestAndFilters) {
  FakeLab lab;
  lab.qc.document = R"([{"material":"ctrl","level":"2","points":[]}])";
  const auto r = lab.router().answer(
      request("GET", "/api/v1/qc/xn-1/WBC", lab.viewer.token, {{"lot", "L7"}, {"limit", "20"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, lab.qc.document);
  ASSERT_EQ(lab.qc.series_asked.size(), 1u);
  const auto& q = lab.qc.series_asked[0];
  EXPECT_EQ(q.analyzer, "xn-1");
  EXPECT_EQ(q.test, "WBC");
  EXPECT_EQ(q.lot, "L7");
  EXPECT_FALSE(q.material);
  EXPECT_EQ(q.limit, 20u);
}

}  // namespace
}  // namespace hemalink::api
