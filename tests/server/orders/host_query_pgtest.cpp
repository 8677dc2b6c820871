// Host queries answered from the orders, end to end on 127.0.0.1: the LIS orders over its feed;
// a simulated Sysmex XN and CS each ask about the tube and receive exactly the tests they run,
// in their own codes and layouts, with the sample echoed as they sent it; a cancelled test is
// not sent; the tests sent are marked so; a tube with no order gets the no-order answer each
// analyzer expects.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <future>

#include <pqxx/pqxx>

#include "server/orders/order_book.hpp"
#include "server/simulate/simulation.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/order_feed_lab.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::orders {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::DaemonHarness;

daemon::DaemonConfig lab() {
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("cs-1", "sysmex-cs", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("astm-1", "generic-astm", WireProtocol::Astm));
  c.lis.push_back(testing::order_feed_lis());
  return c;
}

simulate::SimulationReport send(std::uint16_t port, WireProtocol protocol,
                                std::vector<std::string> messages) {
  return testing::send_messages(port, protocol, std::move(messages),
                                1500ms);  // the reply comes after the query's final ACK
}

// One OBR per ordered code, STAT in OBR-5.
std::string order(const std::string& control, const std::string& orc1,
                  const std::vector<std::string>& tests, const std::string& specimen = "S-1",
                  const std::string& placer = "PL-1") {
  auto text = fmt::format(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||ORM^O01|{}|P|2.3.1\r"
      "PID|1||P-42^^^HOSP^MR||Doe^Jane||19500704|F\r"
      "ORC|{}|{}\r",
      control, orc1, placer);
  for (const auto& test : tests) {
    text += fmt::format("OBR|1|{}|{}|{}|S\r", placer, specimen, test);
  }
  return text;
}

// Sysmex: rack^tube^sample no^attribute, the sample number right-justified in 22 characters.
std::string sysmex_query(const std::string& sample) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "Q|1|1^2^{:>22}^B||||20261128101600||||||N\r"
      "L|1|N\r",
      sample);
}

struct HostQueries : ::testing::Test {
  void SetUp() override {
    HL_REQUIRE_POSTGRES();
    h = std::make_unique<DaemonHarness>(lab());
    const auto ordered = send(h->daemon().order_feed_port("lis"), WireProtocol::Hl7,
                              {order("O-1", "NW", {"FBC", "COAG"}), order("O-2", "CA", {"APTT"})});
    ASSERT_EQ(ordered.results.size(), 2u);
    ASSERT_EQ(ordered.results[1].answer, simulate::Answer::Acknowledged);
  }
  std::unique_ptr<DaemonHarness> h;
};

TEST_F(HostQueries, TheXnReceivesItsTestsInItsCodesWithTheSampleEchoed) {
  const auto report = send(h->port("xn-1"), WireProtocol::Astm, {sysmex_query("S-1")});
  ASSERT_EQ(report.host_replies.size(), 1u);
  const auto& reply = report.host_replies[0];
  EXPECT_NE(reply.find(fmt::format("\rO|1|1^2^{:>22}^B||", "S-1")), std::string::npos) << reply;
  EXPECT_NE(reply.find("||^^^^WBC\\^^^^RBC\\^^^^HGB\\^^^^HCT\\^^^^MCV\\^^^^MCH\\^^^^MCHC\\"
                       "^^^^PLT\\^^^^RDW-CV\\^^^^RDW-SD\\^^^^MPV\\^^^^NRBC#\\^^^^NRBC%|S|"),
            std::string::npos)
      << "the FBC panel in XN codes, STAT from OBR-27.6: " << reply;
  EXPECT_NE(reply.find("\rP|1|||P-42|||19500704|F\r"), std::string::npos)
      << "the patient ID in P-5, as Sysmex reads it: " << reply;
  EXPECT_NE(reply.find("|||||||||||||Q\r"), std::string::npos) << "O-26 Q: " << reply;
  EXPECT_EQ(reply.find("PT"), std::string::npos) << "no coagulation test for the XN";
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h->count(
                   "SELECT count(*) FROM order_tests WHERE status = 'acknowledged' AND "
                   "analyzer = 'xn-1'") == 13;
      },
      10s))
      << "the XN ACKed the reply's last frame: it took its 13 tests";
  EXPECT_EQ(h->count("SELECT count(*) FROM order_tests WHERE status = 'ordered'"), 3)
      << "PT (seconds and %) and INR wait for the CS";
  EXPECT_EQ(h->count("SELECT count(*) FROM audit_log WHERE actor = 'analyzer:xn-1' AND action = "
                     "'sent'"),
            13);
  EXPECT_EQ(h->count("SELECT count(*) FROM audit_log WHERE actor = 'analyzer:xn-1' AND action = "
                     "'acknowledged'"),
            13);
}

TEST_F(HostQueries, TheCsReceivesItsTestGroupsAndNotTheCancelledTest) {
  const auto report = send(h->port("cs-1"), WireProtocol::Astm, {sysmex_query("S-1")});
  ASSERT_EQ(report.host_replies.size(), 1u);
  const auto& reply = report.host_replies[0];
  EXPECT_NE(reply.find("||^^^040|S|"), std::string::npos)
      << "PT seconds, % and INR are all ordered as test group 040; APTT (050) was cancelled: "
      << reply;
  EXPECT_EQ(reply.find("^^^050"), std::string::npos)
      << "no test group 050 (the message's time may hold the digits, 05:02:52): " << reply;
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h->count(
                   "SELECT count(*) FROM order_tests WHERE status = 'acknowledged' AND "
                   "analyzer = 'cs-1'") == 3;
      },
      10s));
}

TEST_F(HostQueries, ATubeWithNoOrderGetsTheAnswerEachAnalyzerExpects) {
  auto report = send(h->port("xn-1"), WireProtocol::Astm, {sysmex_query("S-404")});
  ASSERT_EQ(report.host_replies.size(), 1u);
  EXPECT_NE(report.host_replies[0].find(fmt::format("\rO|1|1^2^{:>22}^B", "S-404")),
            std::string::npos);
  EXPECT_NE(report.host_replies[0].find("|Y\rL|1|N\r"), std::string::npos)
      << "Sysmex: O-26 Y, no order: " << report.host_replies[0];

  report = send(h->port("astm-1"), WireProtocol::Astm,
                {"H|\\^&|||ANALYZER\rQ|1|^S-404||ALL||||||||O\rL|1|N\r"});
  ASSERT_EQ(report.host_replies.size(), 1u);
  EXPECT_TRUE(report.host_replies[0].starts_with("H|\\^&|||hemalink|"));
  EXPECT_TRUE(report.host_replies[0].ends_with("\rL|1|I\r"))
      << "LIS02-A2: no information available: " << report.host_replies[0];
  EXPECT_EQ(h->count("SELECT count(*) FROM messages WHERE direction = 'out' AND analyzer_id IS "
                     "NOT NULL"),
            2)
      << "each reply is kept";
}

// An Erba-like generic-astm analyzer asks about two tubes in one Q-3 (the repeat delimiter its H
// record declares, the first repeat with an empty patient ID component): the answer has the same
// layout for each, the specimen ID in O-3 component 1, as LIS02-A2 hosts send it. A cobas asking
// about a tube it could not read the barcode of is told there is no information.
TEST(HostQueryGeneric, EveryTubeHasItsSpecimenIdInO3AndATubeWithoutBarcodeHasNoInformation) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("generic-query");
  std::ofstream(dir / "analyzer.json")
      << R"({"codes": {"WBC": {"code": "WBC"}, "HGB": {"code": "HGB"}}})";
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("astm-1", "generic-astm", WireProtocol::Astm));
  c.analyzers.back().mappings_file = dir / "analyzer.json";
  c.lis.push_back(testing::order_feed_lis());
  DaemonHarness h(c);
  const auto ordered =
      send(h.daemon().order_feed_port("lis"), WireProtocol::Hl7,
           {order("O-1", "NW", {"FBC"}), order("O-2", "NW", {"FBC"}, "S-2", "PL-2")});
  ASSERT_EQ(ordered.results.size(), 2u);
  ASSERT_EQ(h.count("SELECT count(*) FROM orders"), 2);
  const auto report =
      send(h.port("astm-1"), WireProtocol::Astm,
           {"H|`^&||||||||||P|E 1394-97|20261207080000\rQ|1|^S-1`S-2||||S|||||||O\rL|1|N\r"});
  ASSERT_EQ(report.host_replies.size(), 1u);
  const auto& reply = report.host_replies[0];
  EXPECT_NE(reply.find("\rO|1|S-1||^^^WBC\\^^^HGB|"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\rO|1|S-2||^^^WBC\\^^^HGB|"), std::string::npos) << reply;
  EXPECT_TRUE(reply.ends_with("\rL|1|N\r")) << reply;

  const auto unread = send(h.port("astm-1"), WireProtocol::Astm,
                           {"H|\\^&|||cobas-e411^1|||||host|TSREQ^REAL|P|1\r"
                            "Q|1|^^@192^192^0^2^^S1^SC||ALL||||||||O\rL|1|N\r"});
  ASSERT_EQ(unread.host_replies.size(), 1u);
  EXPECT_TRUE(unread.host_replies[0].ends_with("\rL|1|I\r"))
      << "a tube without a barcode: no information, not an error in the request: "
      << unread.host_replies[0];
}

// The tools a lab tries it with: lis-sim orders generated CBCs on hemalink's order feed, and
// simulate, as an XN asking about each tube first, is answered for every one.
TEST(HostQueryTools, LisSimOrdersAndSimulateAsksBeforeItSends) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab());
  testing::TempDir dir("query-tools");
  const auto feed = std::to_string(h.daemon().order_feed_port("lis"));
  testing::ChildProcess lis(
      {HEMALINK_BINARY, "lis-sim", "--listen", "127.0.0.1:0", "--protocol", "hl7", "--send-orders",
       "127.0.0.1:" + feed, "--generate-orders", "5", "--duration", "20"},
      dir / "lis-sim.log");
  ASSERT_TRUE(
      testing::wait_until([&] { return h.count("SELECT count(*) FROM orders") == 5; }, 20s));
  testing::ChildProcess xn({HEMALINK_BINARY, "simulate", "--protocol", "astm", "--to",
                            "127.0.0.1:" + std::to_string(h.port("xn-1")), "--generate", "cbc",
                            "--count", "5", "--query-first", "--timeout", "30"},
                           dir / "simulate.log");
  ASSERT_EQ(xn.wait(60s), 0) << testing::read_file(dir / "simulate.log");
  const auto report = testing::read_file(dir / "simulate.log");
  EXPECT_NE(report.find("host queries answered 5 of 5"), std::string::npos) << report;
  EXPECT_GE(h.count("SELECT count(*) FROM order_tests WHERE status = 'resulted'"), 5 * 9)
      << "the FBC of each generated CBC resulted";
  EXPECT_EQ(h.count("SELECT count(*) FROM order_tests t JOIN orders o ON o.id = t.order_id"
                    " WHERE t.status <> 'resulted' AND EXISTS (SELECT 1 FROM results r"
                    " WHERE r.specimen_id = o.specimen_id AND r.code = t.code)"),
            0)
      << "every ordered test the XN sent a result for is resulted";
  lis.signal(SIGTERM);
  EXPECT_EQ(lis.wait(20s), 0);
  EXPECT_NE(testing::read_file(dir / "lis-sim.log").find("sent 5 order message(s)"),
            std::string::npos);
}

// The marks of two answers about the same tube, in one transaction and in the opposite order of
// another's (a download's, a reset's beside them), wait for it instead of deadlocking: the other
// holds the first test and asks for the second once the marks wait; the marks hold nothing yet.
TEST(HostQueryMarks, MarksOfTheSameTestsInTheOppositeOrderWaitInsteadOfDeadlocking) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()));
  testing::execute(db.dsn(),
                   "WITH o AS (INSERT INTO orders (source, specimen_id) VALUES ('lis', 'S-1')"
                   " RETURNING id) INSERT INTO order_tests (order_id, code, lis_code, is_mapped)"
                   " SELECT id, code, 'FBC', true FROM o, unnest('{WBC,HGB}'::text[]) AS code");
  const auto ids = testing::query_rows(db.dsn(), "SELECT id FROM order_tests ORDER BY id");
  ASSERT_EQ(ids.size(), 2u);
  const auto first = std::stoll(ids[0][0]);
  const auto second = std::stoll(ids[1][0]);

  pqxx::connection other_connection(db.dsn());
  pqxx::work other(other_connection);
  other.exec_params("UPDATE order_tests SET status = 'sent', analyzer = 'xn-2' WHERE id = $1",
                    first);
  auto marked = std::async(std::launch::async, [&] {
    return orders::mark_tests(db.dsn(), {{"xn-1", {second}, records::TestStep::Sent},
                                         {"xn-1", {first}, records::TestStep::Sent}});
  });
  // Not ASSERT: the marks wait for `other` whatever happens, and the future waits for them.
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return testing::query_value(db.dsn(),
                                    "SELECT count(*) FROM pg_stat_activity WHERE "
                                    "wait_event_type = 'Lock' AND datname = current_database()") ==
               "1";
      },
      30s));
  EXPECT_NO_THROW(other.exec_params(
      "UPDATE order_tests SET status = 'sent', analyzer = 'xn-2' WHERE id = $1", second));
  other.commit();
  const auto result = marked.get();
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(testing::query_rows(db.dsn(), "SELECT status, analyzer FROM order_tests ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"sent", "xn-1"}, {"sent", "xn-1"}}))
      << "the marks, waiting, came last";
}

}  // namespace
}  // namespace hemalink::orders
