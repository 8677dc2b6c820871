// The analyzers as the API lists them: the configuration, the analyzers' rows, the daemon's
// counts and connections, over the fakes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(AnalyzerRoutes, EachConfiguredAnalyzerWithItsRowCountsAndPeers) {
  FakeLab lab;
  lab.records.analyzers =
      R"({"xn-1":{"model":"XN-550","serial":"11001","software_version":"00-18","last_seen_at":"2026-11-28T09:00:00+00:00"}})";
  store::AnalyzerMessageCounts counts;
  counts.protocol = "astm";
  counts.messages = {{"stored", 1}};
  counts.results_held = 2;
  lab.daemon.counts["xn-1"] = counts;
  lab.daemon.peers["xn-1"] = {"10.0.0.5:40211"};
  lab.link_tally.add_link_error("xn-1");
  const auto r = lab.router().answer(request("GET", "/api/v1/analyzers", lab.viewer.token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"analyzers": [{
      "name": "xn-1", "driver": "sysmex-xn", "protocol": "astm", "transport": "tcp-server",
      "address": "0.0.0.0:5001", "model": "XN-550", "serial": "11001",
      "software_version": "00-18", "peers": ["10.0.0.5:40211"], "connected": true,
      "last_message_at": "2026-11-28T09:00:00+00:00", "link_errors_since_start": 1,
      "messages_since_start": {"stored": 1},
      "results_since_start": {"release": 0, "hold": 2, "rerun_or_reject": 0, "qc": 0}}]})"));
}

TEST(AnalyzerRoutes, SinceAddsTheMessagesReceivedSinceThenByStatus) {
  FakeLab lab;
  lab.records.messages_since = R"({"xn-1":{"accepted":4}})";
  const auto router = lab.router();
  const auto r = router.answer(
      request("GET", "/api/v1/analyzers", lab.viewer.token, {{"since", "2026-11-28"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["analyzers"][0]["messages_since"],
            json::parse(R"({"accepted":4})"));
  EXPECT_EQ(lab.records.since_asked.at(0), "2026-11-28T00:00:00.000000Z");
  const auto without = router.answer(request("GET", "/api/v1/analyzers", lab.viewer.token));
  EXPECT_FALSE(json::parse(without.body)["analyzers"][0].contains("messages_since"));
}

}  // namespace
}  // namespace hemalink::api
