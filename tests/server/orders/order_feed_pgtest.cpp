// A LIS's order feed, end to end on 127.0.0.1: HL7 orders over MLLP are acknowledged only once
// committed, with their tests in canonical codes and every change audited; what cannot be read
// as orders is kept raw as rejected and answered AE; cancellations cancel; ASTM orders over
// E1381 are read too.
#include <gtest/gtest.h>

#include "server/api/api_tokens.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::orders {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::DaemonHarness;

daemon::DaemonConfig with_order_feed(WireProtocol protocol) {
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  lis::LisDestination d;
  d.name = "lis";
  d.protocol = WireProtocol::Hl7;
  d.transport = transport::TcpClientTransport{"127.0.0.1", 9, 1000ms, 1000ms, std::nullopt};
  d.mapping_file = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config/lis/example-lis.json";
  lis::LisOrderFeed feed;
  feed.protocol = protocol;
  feed.transport = transport::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  d.orders = feed;
  c.lis.push_back(d);
  return c;
}

simulate::SimulationReport send(DaemonHarness& h, WireProtocol protocol,
                                std::vector<std::string> messages) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", h.daemon().order_feed_port("lis")}};
  plan.messages = std::move(messages);
  plan.timeout = 30s;
  return simulate::run_simulation(plan);
}

std::string order_message(const std::string& control, const std::string& orc1,
                          const std::string& specimen, const std::string& test) {
  return "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O21^OML_O21|" + control +
         "|P|2.5.1\r"
         "PID|1||P-" +
         specimen +
         "^^^HOSP^MR||Doe^Jane||19500704|F\r"
         "PV1|1|I|WARD7\r"
         "ORC|" +
         orc1 + "|PL-" + specimen +
         "\r"
         "TQ1|1||||||||S\r"
         "OBR|1|PL-" +
         specimen + "||" + test +
         "\r"
         "SPM|1|" +
         specimen + "||BLD\r";
}

TEST(OrderFeed, AnOrderIsAcknowledgedOnceStoredWithItsPanelInCanonicalCodesAndAudited) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(with_order_feed(WireProtocol::Hl7));
  const auto report = send(h, WireProtocol::Hl7, {order_message("O-1", "NW", "S-100", "FBC")});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Acknowledged) << report.results[0].detail;
  EXPECT_EQ(h.query_value("SELECT patient_id || ' ' || patient_sex || ' ' || patient_birth_date"
                          " || ' ' || location || ' ' || priority || ' ' || placer_number"
                          " FROM orders WHERE specimen_id = 'S-100' AND source = 'lis'"),
            "P-S-100 F 19500704 WARD7 stat PL-S-100");
  EXPECT_EQ(h.query_value("SELECT string_agg(code, ',' ORDER BY id) FROM order_tests"),
            "WBC,RBC,HGB,HCT,MCV,MCH,MCHC,PLT,RDW_CV,RDW_SD,MPV,NRBC_ABS,NRBC_PCT")
      << "the FBC panel of the LIS's mapping table";
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests WHERE status = 'ordered' AND is_mapped"
                    " AND lis_code = 'FBC'"),
            13);
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE actor = 'lis:lis' AND action = 'create'"
                    " AND entity IN ('order', 'order_test')"),
            14);
  EXPECT_EQ(h.query_value("SELECT status || ' ' || control_id FROM messages"
                          " WHERE destination = 'lis' AND direction = 'in'"),
            "accepted O-1");
}

TEST(OrderFeed, WhatIsNotAnOrderIsKeptRawAsRejectedAndAnsweredAE) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(with_order_feed(WireProtocol::Hl7));
  const auto report =
      send(h, WireProtocol::Hl7,
           {order_message("O-2", "CD:1234", "S-200", "FBC"),
            "\xEF\xBB\xBFMSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128||ORU^R01|O-3|P|2.5.1\rPID|1\r"});
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Rejected);
  EXPECT_EQ(report.results[1].answer, simulate::Answer::Rejected)
      << "a byte-order mark before MSH is answered too";
  EXPECT_EQ(h.count("SELECT count(*) FROM orders"), 0);
  const auto reasons = h.query_rows(
      "SELECT reject_reason FROM messages WHERE destination = 'lis' AND"
      " status = 'rejected' ORDER BY received_at");
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_NE(reasons[0][0].find("ORC-1"), std::string::npos) << reasons[0][0];
  EXPECT_NE(reasons[1][0].find("MSH-9"), std::string::npos) << reasons[1][0];
}

TEST(OrderFeed, ACancellationCancelsTheTestsAndOneOfAnUnknownOrderIsRefusedWhole) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(with_order_feed(WireProtocol::Hl7));
  auto report = send(
      h, WireProtocol::Hl7,
      {order_message("O-4", "NW", "S-300", "COAG"), order_message("O-5", "CA", "S-300", "APTT")});
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_EQ(report.results[1].answer, simulate::Answer::Acknowledged);
  EXPECT_EQ(h.query_value("SELECT string_agg(code || ':' || status, ',' ORDER BY id)"
                          " FROM order_tests"),
            "PT_SEC:ordered,PT_PCT:ordered,INR:ordered,APTT:cancelled");
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE action = 'cancelled'"
                    " AND entity = 'order_test' AND actor = 'lis:lis'"),
            1);

  report = send(h, WireProtocol::Hl7, {order_message("O-6", "CA", "S-999", "COAG")});
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Rejected);
  EXPECT_NE(h.query_value("SELECT reject_reason FROM messages WHERE control_id = 'O-6'")
                .find("does not have"),
            std::string::npos);

  report = send(h, WireProtocol::Hl7, {order_message("O-7", "NW", "S-300", "APTT")});
  EXPECT_EQ(h.query_value("SELECT status FROM order_tests WHERE code = 'APTT'"), "ordered")
      << "ordered again after its cancellation";
}

TEST(OrderFeed, AnAstmLisSendsItsOrdersAsORecordsOverE1381) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(with_order_feed(WireProtocol::Astm));
  const auto report = send(h, WireProtocol::Astm,
                           {"H|\\^&|||LIS|||||||P|LIS2-A2|20261128101500\r"
                            "P|1||P-77||Roe^Rick||19800101|M\r"
                            "O|1|S-400||^^^PT\\^^^INR|R||20261128090000||||N\r"
                            "L|1|N\r"});
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].answer, simulate::Answer::Acknowledged);
  EXPECT_EQ(h.query_value("SELECT patient_id || ' ' || patient_sex || ' ' || priority"
                          " FROM orders WHERE specimen_id = 'S-400'"),
            "P-77 M routine");
  EXPECT_EQ(h.query_value("SELECT string_agg(code, ',' ORDER BY id) FROM order_tests"),
            "PT_SEC,INR");
}

// A LIS that writes its frame numbers into the records (`2P|1`): its `4L` is no terminator, so the
// link ends the message at EOT; the reason kept names the first record that is not one.
TEST(OrderFeed, AnAstmOrderWithStrayFrameDigitsIsRefusedNamingTheRecord) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(with_order_feed(WireProtocol::Astm));
  send(h, WireProtocol::Astm,
       {"H|\\^&|||LIS|||||||P|LIS2-A2|20261128101500\r"
        "2P|1||P-77||Roe^Rick||19800101|M\r"
        "3O|1|S-401||^^^PT|R||20261128090000||||N\r"
        "4L|1|N\r"});
  ASSERT_TRUE(testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM messages WHERE destination = 'lis'") == 1; }, 10s))
      << "the message the sender's EOT ended is kept";
  EXPECT_EQ(h.count("SELECT count(*) FROM orders"), 0);
  const auto reason = h.query_value("SELECT reject_reason FROM messages WHERE destination = 'lis'");
  EXPECT_TRUE(reason.starts_with("record 2: expected a record type letter, found \"2P\""))
      << reason;
}

// The API lists the orders with their tests; those with tests pending past the configured time
// are overdue (one made old here by moving its arrival back).
TEST(OrderFeed, TheApiListsOrdersAndThoseOverdue) {
  HL_REQUIRE_POSTGRES();
  auto c = with_order_feed(WireProtocol::Hl7);
  c.http.listen = "127.0.0.1:0";
  c.orders.overdue_after = std::chrono::minutes(60);
  const auto viewer = api::make_token();
  c.http.tokens = {{"vera", config::ApiRole::Viewer, viewer.sha256}};
  DaemonHarness h(c);
  const auto report = send(
      h, WireProtocol::Hl7,
      {order_message("O-8", "NW", "S-500", "PTINR"), order_message("O-9", "NW", "S-501", "PTINR")});
  ASSERT_EQ(report.results[1].answer, simulate::Answer::Acknowledged);
  h.execute(
      "UPDATE orders SET created_at = now() - interval '2 hours' WHERE specimen_id = 'S-500'");
  const auto port = h.daemon().http_port();
  auto all = testing::http_request(port, "GET", "/api/v1/orders", viewer.token);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json()["orders"].size(), 2u);
  EXPECT_EQ(all.json()["overdue_after_min"], 60);
  auto overdue = testing::http_request(port, "GET", "/api/v1/orders?overdue=true", viewer.token);
  const auto listed = overdue.json()["orders"];
  ASSERT_EQ(listed.size(), 1u) << overdue.body;
  EXPECT_EQ(listed[0]["specimen_id"], "S-500");
  EXPECT_EQ(listed[0]["overdue"], true);
  EXPECT_EQ(listed[0]["tests"].size(), 3u);  // PTINR: PT in seconds and %, INR
  EXPECT_EQ(listed[0]["tests"][0]["code"], "PT_SEC");
  EXPECT_EQ(listed[0]["tests"][0]["status"], "ordered");
  auto one = testing::http_request(port, "GET", "/api/v1/orders?specimen=S-501", viewer.token);
  EXPECT_EQ(one.json()["orders"][0]["overdue"], false);
}

}  // namespace
}  // namespace hemalink::orders
