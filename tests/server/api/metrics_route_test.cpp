// The metrics over the fakes: the daemon's live state and the rooms' reads as samples, and a read
// that fails as its _up gauge at 0.
#include <gtest/gtest.h>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using testing::FakeLab;
using testing::request;

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(MetricsRoute, TheDaemonsStateAndTheRoomsReadsAreSamples) {
  FakeLab lab;
  store::AnalyzerMessageCounts counts;
  counts.protocol = "astm";
  counts.messages = {{"stored", 2}};
  lab.daemon.counts["xn-1"] = counts;
  lab.daemon.health.spooled_pending = 5;
  lis::LisCounters lis_counters;
  lis_counters.delivered = 9;
  lab.daemon.lis_entries = {{"lis", "hl7", true, &lis_counters},
                            {"lab-2", "astm", false, &lis_counters}};
  lab.outbox.depth_rows = {{"lis", 4, 1, 2.5}};
  lab.orders.counts = {{"lis", 2, 3}};
  lab.rules.fired = {{"delta", 7}};
  const auto r = lab.router().answer(request("GET", "/metrics", ""));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const auto* line : {
           R"(hemalink_messages_total{analyzer="xn-1",protocol="astm",outcome="stored"} 2)",
           R"(hemalink_spool_pending_receipts 5)",
           R"(hemalink_lis_connected{destination="lab-2"} 0)",
           R"(hemalink_lis_delivered_total{destination="lis"} 9)",
           R"(hemalink_outbox_up 1)",
           R"(hemalink_outbox_pending{destination="lis"} 4)",
           R"(hemalink_outbox_pending{destination="lab-2"} 0)",
           R"(hemalink_order_tests_unmapped{destination="lis"} 3)",
           R"(hemalink_rule_firings_total{rule="delta"} 7)",
           R"(hemalink_analyzer_connections{analyzer="xn-1"} 0)",
       }) {
    EXPECT_TRUE(has_line(r.body, line)) << line << " in\n" << r.body;
  }
}

TEST(MetricsRoute, AReadThatFailsIsItsUpGaugeAtZero) {
  FakeLab lab;
  lab.outbox.failure = testing::store_error(store::StoreErrc::Retryable, "gone");
  lab.orders.failure = lab.outbox.failure;
  const auto r = lab.router().answer(request("GET", "/metrics", ""));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has_line(r.body, "hemalink_outbox_up 0")) << r.body;
  EXPECT_TRUE(has_line(r.body, "hemalink_order_codes_unmapped_up 0")) << r.body;
  EXPECT_EQ(r.body.find("hemalink_outbox_pending{"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::api
