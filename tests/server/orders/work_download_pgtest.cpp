// Download mode end to end on 127.0.0.1: analyzers configured to receive their work in advance
// are sent it as the LIS's orders arrive (or, when they were not connected, as they connect),
// in their own codes and layout; the tests become acknowledged when the analyzer takes the
// message, and resulted when its results come back; work not acknowledged before the connection
// broke is sent again at the next connection. The analyzer asks nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <set>

#include "protocols/common/split.hpp"
#include "server/api/api_tokens.hpp"
#include "server/simulate/generated_orders.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/order_feed_lab.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::orders {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::DaemonHarness;

struct DownloadLab {
  testing::TempDir dir{"work-download"};

  daemon::DaemonConfig config() const {
    std::ofstream(dir / "chem.json") << R"({"driver": "generic-hl7", "codes": {
        "CHOL": {"code": "CHOL"}, "HDL": {"code": "HDL_CHOL"}}})";
    std::ofstream(dir / "lis.json") << R"({"codes": {
        "WBC": {"code": "WBC"}, "HGB": {"code": "HB"}, "PLT": {"code": "PLT"},
        "CHOL": {"code": "CHOL"}, "HDL_CHOL": {"code": "HDL"}},
        "order_panels": {"FBC": ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "PLT",
                                 "RDW_CV"]}})";
    daemon::DaemonConfig c;
    auto xn = testing::tcp_analyzer("xn-dl", "sysmex-xn", WireProtocol::Astm);
    xn.download_orders = true;
    c.analyzers.push_back(xn);
    auto chem = testing::tcp_analyzer("chem-dl", "generic-hl7", WireProtocol::Hl7);
    chem.mappings_file = dir / "chem.json";
    chem.download_orders = true;
    c.analyzers.push_back(chem);
    c.lis.push_back(testing::order_feed_lis(9, dir / "lis.json"));
    return c;
  }
};

std::string order(const std::string& specimen, const std::vector<std::string>& tests) {
  auto text = fmt::format(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O21^OML_O21|O-{}|P|2.5.1\r"
      "PID|1||P-{}^^^HOSP^MR||Doe^Jane||19500704|F\r"
      "ORC|NW|PL-{}\r",
      specimen, specimen, specimen);
  for (const auto& test : tests) {
    text += fmt::format("OBR|1|PL-{}||{}\rSPM|1|{}||BLD\r", specimen, test, specimen);
  }
  return text;
}

void place(DaemonHarness& h, const std::string& specimen, const std::vector<std::string>& tests) {
  const auto r = testing::send_messages(h.daemon().order_feed_port("lis"), WireProtocol::Hl7,
                                        {order(specimen, tests)});
  ASSERT_EQ(r.results.size(), 1u);
  ASSERT_EQ(r.results[0].answer, simulate::Answer::Acknowledged);
}

// An analyzer in download mode on its own thread: it waits for `specimens` work orders and sends
// results for each.
std::future<simulate::SimulationReport> analyzer_waiting(std::uint16_t port, WireProtocol protocol,
                                                         std::size_t specimens) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", port}};
  plan.downloads = specimens;
  plan.timeout = 30s;
  return std::async(std::launch::async, [plan] { return simulate::run_simulation(plan); });
}

std::size_t tests_of(DaemonHarness& h, const std::string& specimen, const std::string& status) {
  return h.count(
      fmt::format("SELECT count(*) FROM order_tests t JOIN orders o ON o.id = t.order_id "
                  "WHERE o.specimen_id = '{}' AND t.status = '{}'",
                  specimen, status));
}

constexpr char kEnq = 0x05;
constexpr char kEot = 0x04;

// One E1381 message the host sends, received as an analyzer does: ENQ and every frame ACKed,
// until EOT. The frames' text (records), framing stripped.
std::string receive_e1381(testing::AnalyzerSocket& socket) {
  std::string records;
  std::string frame;
  for (auto byte = socket.read_byte(10s); byte && *byte != kEot; byte = socket.read_byte(10s)) {
    if (*byte == kEnq) {
      socket.send("\x06");
    } else if (*byte == '\n') {
      // STX FN text ETB|ETX C1 C2 CR LF
      records += frame.substr(2, frame.size() - 6);
      frame.clear();
      socket.send("\x06");
    } else {
      frame += *byte;
    }
  }
  return records;
}

bool wait_for_tests(DaemonHarness& h, const std::string& specimen, const std::string& status,
                    std::size_t count) {
  return testing::wait_until([&] { return tests_of(h, specimen, status) == count; }, 15s);
}

TEST(WorkDownload, TheXnIsSentItsWorkWhenItConnectsAndAsOrdersArrive) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  place(h, "D-1", {"FBC", "CHOL"});  // nobody connected: it waits
  EXPECT_EQ(tests_of(h, "D-1", "ordered"), 10u);

  auto xn = analyzer_waiting(h.port("xn-dl"), WireProtocol::Astm, 2);
  ASSERT_TRUE(wait_for_tests(h, "D-1", "resulted", 9))
      << "sent as the XN connected, run, and its results back: the 9 tests of the FBC";
  place(h, "D-2", {"FBC"});  // the XN is connected: sent now
  const auto report = xn.get();

  EXPECT_EQ(report.downloaded, 2u);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  ASSERT_EQ(report.host_replies.size(), 2u);
  const auto& first = report.host_replies[0];
  EXPECT_NE(first.find("\rO|1|^^D-1||^^^^WBC\\^^^^RBC\\^^^^HGB\\"), std::string::npos)
      << "the sample number in O-3 as Sysmex reads it, the tests in XN codes: " << first;
  EXPECT_NE(first.find("|N||||BLD||||||||||O\r"), std::string::npos)
      << "O-16 the specimen type the LIS sent, O-26 O: an order" << first;
  EXPECT_NE(first.find("\rP|1|||P-D-1|||19500704|F\r"), std::string::npos) << first;
  EXPECT_EQ(first.find("CHOL"), std::string::npos) << "the chemistry test is not the XN's";
  ASSERT_EQ(report.results.size(), 2u);
  for (const auto& r : report.results) {
    EXPECT_EQ(r.answer, simulate::Answer::Acknowledged) << r.detail;
  }

  EXPECT_TRUE(wait_for_tests(h, "D-2", "resulted", 9)) << "the XN's results came back";
  EXPECT_EQ(tests_of(h, "D-1", "ordered"), 1u) << "CHOL waits for the chemistry analyzer";
  for (const char* action : {"sent", "resulted"}) {
    EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM audit_log WHERE actor = 'analyzer:xn-dl' "
                                  "AND action = '{}'",
                                  action)),
              18)
        << action;
  }
  EXPECT_EQ(h.count("SELECT count(*) FROM results WHERE specimen_id = 'D-1' AND patient_id = "
                    "'P-D-1'"),
            9)
      << "the order's patient on the XN's results, which named none";
}

TEST(WorkDownload, ATechnologistsRerunIsSentToTheXnAgain) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  auto c = lab.config();
  const auto rules = lab.dir / "rules.json";
  std::ofstream(rules) << R"({"version": "rerun-test", "rules": [
      {"id": "wbc-look", "applies_to": ["WBC"], "when": "value > 5", "action": "hold",
       "reason": "WBC: look at the smear"},
      {"id": "release-rest", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
  c.rules.files = {rules};
  const auto tom = api::make_token();
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = {{"tom", config::ApiRole::Technologist, tom.sha256}};
  DaemonHarness h(c);
  place(h, "D-6", {"FBC"});
  auto xn = analyzer_waiting(h.port("xn-dl"), WireProtocol::Astm, 2);
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id "
                   "WHERE d.is_current AND d.decision = 'hold' AND r.code = 'WBC'") == 1;
      },
      15s))
      << "the XN ran the download and its WBC is held";
  const auto wbc =
      h.query_value("SELECT r.id FROM results r WHERE r.specimen_id = 'D-6' AND r.code = 'WBC'");
  const auto reply =
      testing::http_request(h.daemon().http_port(), "POST", "/api/v1/review/" + wbc + "/rerun",
                            tom.token, R"({"comment": "Clot in the tube: run it again"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto report = xn.get();
  EXPECT_EQ(report.downloaded, 2u) << "the rerun was sent without the XN asking";
  ASSERT_EQ(report.host_replies.size(), 2u);
  EXPECT_NE(report.host_replies[1].find("\rO|1|^^D-6||^^^^WBC|"), std::string::npos)
      << "only the WBC again: " << report.host_replies[1];
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE actor = 'user:tom' AND entity = "
                    "'order_test' AND after->>'status_reason' = 'rerun: Clot in the tube: run it "
                    "again'"),
            1)
      << "the order step is audited under the technologist's name";
  EXPECT_TRUE(wait_for_tests(h, "D-6", "resulted", 9)) << "the rerun's result came back";
}

TEST(WorkDownload, WorkNotAcknowledgedIsSentAgainAfterAReconnect) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  place(h, "D-3", {"FBC"});
  {
    testing::AnalyzerSocket xn(h.port("xn-dl"));
    ASSERT_EQ(xn.read_byte(10s), kEnq) << "the host bids for the line to download";
    ASSERT_TRUE(xn.send("\x06"));
    for (auto byte = xn.read_byte(10s); byte && *byte != '\n'; byte = xn.read_byte(10s)) {
    }  // the first frame, never acknowledged: the connection breaks here
    ASSERT_TRUE(wait_for_tests(h, "D-3", "sent", 9));
  }
  testing::AnalyzerSocket xn(h.port("xn-dl"));
  const auto records = receive_e1381(xn);
  EXPECT_NE(records.find("\rO|1|^^D-3||^^^^WBC"), std::string::npos)
      << "sent again at the next connection: " << records;
  EXPECT_TRUE(wait_for_tests(h, "D-3", "acknowledged", 9)) << "its last frame ACKed this time";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE actor = 'analyzer:xn-dl' AND "
                    "entity = 'order_test' AND after->>'status' = 'sent'"),
            18)
      << "each test sent twice, each time audited";
}

// 340 orders while the XN was away: more than one pass sends (16 messages of 20 specimens); each
// message it acknowledges starts the next pass, until it has them all, each once.
TEST(WorkDownload, AnAnalyzerBackAfterTheNightIsSentEverythingPassByPass) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  const auto ordered = testing::send_messages(h.daemon().order_feed_port("lis"), WireProtocol::Hl7,
                                              simulate::generate_orders(340));
  ASSERT_EQ(ordered.results.size(), 340u);
  testing::AnalyzerSocket xn(h.port("xn-dl"));
  std::set<std::string> specimens;
  std::size_t messages = 0;
  for (std::size_t received = 0; received < 340;) {
    const auto records = receive_e1381(xn);  // one transfer: a message or several
    ASSERT_FALSE(records.empty()) << "after " << received << " specimens";
    for (auto at = records.find("H|\\^&|||hemalink"); at != std::string::npos;
         at = records.find("H|\\^&|||hemalink", at + 1)) {
      ++messages;
    }
    for (std::size_t at = records.find("\rO|1|^^"); at != std::string::npos;
         at = records.find("\rO|1|^^", at + 1)) {
      specimens.insert(records.substr(at + 8, records.find('|', at + 8) - at - 8));
      ++received;
    }
  }
  EXPECT_EQ(messages, 17u) << "20 specimens a message";
  EXPECT_EQ(specimens.size(), 340u) << "each specimen once";
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h.count("SELECT count(*) FROM order_tests WHERE status = 'acknowledged'") == 340 * 9;
      },
      15s));
}

TEST(WorkDownload, AnHl7AnalyzerIsSentAWorkOrderPerSpecimenAndTakesIt) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  auto chem = analyzer_waiting(h.port("chem-dl"), WireProtocol::Hl7, 1);
  place(h, "D-4", {"CHOL", "HDL"});  // sent as it arrives, or as the analyzer connects
  const auto report = chem.get();
  EXPECT_EQ(report.downloaded, 1u);
  ASSERT_FALSE(report.host_replies.empty());
  const auto& oml = report.host_replies[0];
  EXPECT_NE(oml.find("OML^O33^OML_O33"), std::string::npos) << oml;
  EXPECT_NE(oml.find("\rSPM|1|D-4|"), std::string::npos) << oml;
  EXPECT_NE(oml.find("\rOBR|1|D-4||CHOL"), std::string::npos) << oml;
  EXPECT_NE(oml.find("\rOBR|2|D-4||HDL^HDL_CHOL^L"), std::string::npos)
      << "the analyzer's code for HDL_CHOL";
  EXPECT_TRUE(wait_for_tests(h, "D-4", "resulted", 2)) << "its ORU^R01 came back";
}

// Its table is its file (cholesterol, HDL): a full blood count on the same tube is not its work,
// however many LOINC CBC codes ship.
TEST(WorkDownload, AnHl7AnalyzerIsSentOnlyTheTestsOfItsOwnTable) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  auto chem = analyzer_waiting(h.port("chem-dl"), WireProtocol::Hl7, 1);
  place(h, "D-7", {"FBC", "CHOL"});
  const auto report = chem.get();
  ASSERT_EQ(report.host_replies.size(), 1u);
  const auto& oml = report.host_replies[0];
  EXPECT_NE(oml.find("\rOBR|1|D-7||CHOL"), std::string::npos) << oml;
  const auto obr = [](std::string_view message) {
    std::size_t n = 0;
    for (auto at = message.find("\rOBR|"); at != std::string_view::npos;
         at = message.find("\rOBR|", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(obr(oml), 1u) << "cholesterol alone: " << oml;
  EXPECT_EQ(tests_of(h, "D-7", "ordered"), 9u) << "the FBC waits for the XN";
}

TEST(WorkDownload, AnHl7AnalyzersOrlAcceptingTheWorkOrderMarksItsTestsAcknowledged) {
  HL_REQUIRE_POSTGRES();
  DownloadLab lab;
  DaemonHarness h(lab.config());
  testing::AnalyzerSocket chem(h.port("chem-dl"));
  place(h, "D-5", {"CHOL", "HDL"});
  std::string oml;
  while (!oml.ends_with("\x1c\r")) {
    const auto byte = chem.read_byte(10s);
    ASSERT_TRUE(byte) << "the work order, whole: " << oml;
    oml += *byte;
  }
  const auto msh = std::string_view(oml).substr(1, oml.find('\r') - 1);
  const auto control_id = std::string(nth_part(msh, '|', 10));  // MSH|^~\&|...: MSH-10
  ASSERT_FALSE(control_id.empty()) << oml;
  EXPECT_TRUE(wait_for_tests(h, "D-5", "sent", 2));
  ASSERT_TRUE(chem.send(
      fmt::format("\x0bMSH|^~\\&|CHEM|LAB|hemalink||20261128101500||ORL^O34^ORL_O34|ORL-1|P|2.5.1\r"
                  "MSA|AA|{}\r\x1c\r",
                  control_id)));
  EXPECT_TRUE(wait_for_tests(h, "D-5", "acknowledged", 2)) << "the ORL^O34 AA names it";
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h.count(
                   "SELECT count(*) FROM messages WHERE direction = 'out' AND "
                   "convert_from(raw, 'UTF8') LIKE '%OML^O33%D-5%'") == 1;
      },
      10s))
      << "the work order sent is kept";
}

}  // namespace
}  // namespace hemalink::orders
