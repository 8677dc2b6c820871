// Results matched to their orders, end to end on 127.0.0.1: the XN sends no sex or age, so a
// sex-specific rule decides on the order's patient; a result of a test no order asks is held;
// a specimen with no order is held; a different patient ID on the order holds everything; the
// ordered tests become resulted in the results' own transaction.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "server/simulate/simulation.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/order_feed_lab.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::orders {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::DaemonHarness;

struct OrderedLab {
  testing::TempDir dir{"order-matching"};

  daemon::DaemonConfig config(std::uint16_t lis_port = 9) const {
    daemon::DaemonConfig c;
    c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
    const auto rules = dir / "sex-specific.json";
    std::ofstream(rules) << R"({"version": "sex-specific-test", "rules": [
        {"id": "release", "applies_to": ["*"], "when": "not is_qc", "action": "release"},
        {"id": "hgb-low-for-a-woman", "applies_to": ["HGB"],
         "when": "sex == \"F\" and value < 12.0", "action": "hold",
         "reason": "HGB below the female range"},
        {"id": "wbc-above-linearity", "applies_to": ["WBC"], "when": "value > 440",
         "action": "rerun", "reason": "WBC above the linearity limit"},
        {"id": "elderly-wbc", "applies_to": ["WBC"], "when": "age_years >= 65 and value < 4.0",
         "action": "hold", "reason": "low WBC at 65 or older"}]})";
    c.rules.files = {rules};
    c.lis.push_back(testing::order_feed_lis(lis_port));
    return c;
  }
};

simulate::SimulationReport send(std::uint16_t port, WireProtocol protocol,
                                std::vector<std::string> messages) {
  return testing::send_messages(port, protocol, std::move(messages));
}

std::string order(const std::string& specimen, const std::string& patient) {
  return fmt::format(
      "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261128101500||OML^O21^OML_O21|O-{}|P|2.5.1\r"
      "PID|1||{}^^^HOSP^MR||Doe^Jane||19500704|F\r"
      "ORC|NW|PL-{}\r"
      "OBR|1|PL-{}||FBC\r"
      "SPM|1|{}||BLD\r",
      specimen, patient, specimen, specimen, specimen);
}

// An XN result message without sex, birth date or age, and with the patient ID it was given.
std::string results(const std::string& specimen, const std::string& patient) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||{}|^^||||||||^||||||||||||^^^\r"
      "O|1||^^{:>22}^B|^^^^WBC|||||||N||||||||||||||F\r"
      "R|1|^^^^WBC^1|3.10|10*3/uL||L||F||||20261128101500\r"
      "R|2|^^^^HGB^1|11.2|g/dL||L||F||||20261128101500\r"
      "R|3|^^^^RET%^1|1.20|%||N||F||||20261128101500\r"
      "L|1|N\r",
      patient, specimen);
}

// The same with a normal WBC and HGB, which the rules release: they go to the LIS.
std::string normal_results(const std::string& specimen) {
  auto normal = results(specimen, "");
  normal.replace(normal.find("3.10"), 4, "7.00");
  normal.replace(normal.find("11.2"), 4, "13.5");
  return normal;
}

std::string decision(const DaemonHarness& h, const std::string& specimen, const std::string& code) {
  return h.query_value(
      fmt::format("SELECT d.decision || ' ' || d.decided_by || ' ' || coalesce(d.reason, '')"
                  " FROM decisions d JOIN results r ON r.id = d.result_id"
                  " WHERE d.is_current AND r.specimen_id = '{}' AND r.code = '{}'",
                  specimen, code));
}

TEST(OrderMatching, TheOrdersPatientDecidesTheRulesAndWhatWasNotOrderedIsHeld) {
  HL_REQUIRE_POSTGRES();
  OrderedLab lab;
  DaemonHarness h(lab.config());
  const auto feed = h.daemon().order_feed_port("lis");
  ASSERT_EQ(
      send(feed, WireProtocol::Hl7, {order("S-1", "P-1"), order("S-3", "P-3")}).results[1].answer,
      simulate::Answer::Acknowledged);
  const auto report = send(h.port("xn-1"), WireProtocol::Astm,
                           {results("S-1", ""), results("S-2", ""), results("S-3", "P-OTHER")});
  ASSERT_EQ(report.results.size(), 3u);

  EXPECT_EQ(h.query_value("SELECT patient_id || ' ' || patient_sex || ' ' || patient_birth_date"
                          " || ' ' || floor(patient_age_years) FROM specimens"
                          " WHERE specimen_id = 'S-1'"),
            "P-1 F 19500704 76")
      << "what the XN did not send comes from the order";
  EXPECT_NE(decision(h, "S-1", "HGB").find("HGB below the female range"), std::string::npos)
      << "the female range applied: " << decision(h, "S-1", "HGB");
  EXPECT_NE(decision(h, "S-1", "WBC").find("low WBC at 65 or older"), std::string::npos)
      << "the age applied: " << decision(h, "S-1", "WBC");
  EXPECT_EQ(decision(h, "S-1", "RET_PCT"),
            "hold system:orders RET_PCT was not ordered on specimen S-1");
  EXPECT_EQ(decision(h, "S-2", "WBC"), "hold system:orders no order for specimen S-2");
  EXPECT_NE(decision(h, "S-3", "WBC")
                .find("patient conflict on specimen S-3: the analyzer sent "
                      "patient P-OTHER, the order is for P-3"),
            std::string::npos)
      << decision(h, "S-3", "WBC");

  EXPECT_EQ(h.query_value("SELECT string_agg(t.code || ':' || t.status, ',' ORDER BY t.code)"
                          " FROM order_tests t JOIN orders o ON o.id = t.order_id"
                          " WHERE o.specimen_id = 'S-1' AND t.status <> 'ordered'"),
            "HGB:resulted,WBC:resulted");
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE action = 'resulted' AND actor = "
                    "'analyzer:xn-1'"),
            4)
      << "WBC and HGB of S-1 and of S-3";
}

TEST(OrderMatching, TheLisReceivesTheResultsUnderItsOwnPlacerNumber) {
  HL_REQUIRE_POSTGRES();
  testing::LisSimRunner lis(testing::lis_sim_options());
  OrderedLab lab;
  DaemonHarness h(lab.config(lis.port()));
  ASSERT_EQ(send(h.daemon().order_feed_port("lis"), WireProtocol::Hl7, {order("S-5", "P-5")})
                .results[0]
                .answer,
            simulate::Answer::Acknowledged);
  ASSERT_EQ(send(h.port("xn-1"), WireProtocol::Astm, {normal_results("S-5")}).results[0].answer,
            simulate::Answer::Acknowledged);
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received >= 1; }, 20s));
  const auto received = lis.ledger().messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].specimen_id, "S-5");
  EXPECT_EQ(received[0].placer_numbers, std::vector<std::string>{"PL-S-5"});
  EXPECT_EQ(received[0].codes.size(), 2u) << "WBC and HGB; RET% was not ordered and is held";
}

// A later order on the tube asks for "HGB", a code the LIS's table does not know (its HGB is HB):
// the HGB result goes to the LIS under the order whose FBC it answers, never under the order
// hemalink told the LIS it could not accept.
TEST(OrderMatching, AResultGoesToTheLisUnderTheOrderThatMappedItNotAnUnmappedOne) {
  HL_REQUIRE_POSTGRES();
  testing::LisSimRunner lis(testing::lis_sim_options());
  OrderedLab lab;
  DaemonHarness h(lab.config(lis.port()));
  auto unknown = order("S-6", "P-6");
  unknown.replace(unknown.find("O-S-6"), 5, "O-S-6B");
  unknown.replace(unknown.find("ORC|NW|PL-S-6"), 13, "ORC|NW|PL-S-6B");
  unknown.replace(unknown.find("OBR|1|PL-S-6||FBC"), 17, "OBR|1|PL-S-6B||HGB");
  const auto placed =
      send(h.daemon().order_feed_port("lis"), WireProtocol::Hl7, {order("S-6", "P-6"), unknown});
  ASSERT_EQ(placed.results.size(), 2u);
  EXPECT_EQ(placed.results[1].answer, simulate::Answer::Rejected) << "AE: HGB is not known";
  ASSERT_EQ(h.count("SELECT count(*) FROM order_tests WHERE code = 'HGB' AND NOT is_mapped"), 1);
  ASSERT_EQ(send(h.port("xn-1"), WireProtocol::Astm, {normal_results("S-6")}).results[0].answer,
            simulate::Answer::Acknowledged);
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received >= 1; }, 20s));
  const auto received = lis.ledger().messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].placer_numbers, std::vector<std::string>{"PL-S-6"})
      << "WBC and HGB under the FBC's order";
  EXPECT_EQ(h.query_value("SELECT status FROM order_tests WHERE code = 'HGB' AND NOT is_mapped"),
            "ordered")
      << "the unmapped HGB is no result's test";
}

// The rule's rerun becomes an order step: the XN's next query of the tube is sent WBC again (HGB
// was resulted), and
// the LIS gets the rerun's value, never the one the rule refused.
TEST(OrderMatching, ARerunARuleAsksForReachesTheAnalyzerAndItsResultReachesTheLis) {
  HL_REQUIRE_POSTGRES();
  testing::LisSimRunner lis(testing::lis_sim_options());
  OrderedLab lab;
  DaemonHarness h(lab.config(lis.port()));
  ASSERT_EQ(send(h.daemon().order_feed_port("lis"), WireProtocol::Hl7, {order("S-8", "P-8")})
                .results[0]
                .answer,
            simulate::Answer::Acknowledged);
  auto first = results("S-8", "");
  first.replace(first.find("3.10"), 4, "500.00");
  first.replace(first.find("11.2"), 4, "13.5");
  ASSERT_EQ(send(h.port("xn-1"), WireProtocol::Astm, {first}).results[0].answer,
            simulate::Answer::Acknowledged);
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return h.query_value(
                   "SELECT status || ' ' || status_reason FROM order_tests"
                   " WHERE code = 'WBC'") == "ordered rerun: WBC above the linearity limit";
      },
      10s))
      << h.query_value("SELECT status || ' ' || status_reason FROM order_tests WHERE code = 'WBC'");
  EXPECT_EQ(h.query_value("SELECT status FROM order_tests WHERE code = 'HGB'"), "resulted");

  simulate::SimulationPlan query;
  query.analyzer.protocol = WireProtocol::Astm;
  query.targets = {{"127.0.0.1", h.port("xn-1")}};
  query.messages = {
      fmt::format("H|\\^&|||XN-550\rQ|1|1^3^{:>22}^B||||20261128||||||C\rL|1|N\r", "S-8")};
  query.hold = 1500ms;
  query.timeout = 30s;
  const auto asked = simulate::run_simulation(query);
  ASSERT_EQ(asked.host_replies.size(), 1u);
  EXPECT_NE(asked.host_replies[0].find("B||^^^^WBC\\"), std::string::npos)
      << "WBC again, with the FBC tests never run: " << asked.host_replies[0];
  EXPECT_EQ(asked.host_replies[0].find("HGB"), std::string::npos)
      << "HGB was resulted and released: " << asked.host_replies[0];

  auto rerun = results("S-8", "");
  rerun.replace(rerun.find("3.10"), 4, "7.00");
  rerun.replace(rerun.find("R|2|"), rerun.find("L|1|N") - rerun.find("R|2|"), "");
  ASSERT_EQ(send(h.port("xn-1"), WireProtocol::Astm, {rerun}).results[0].answer,
            simulate::Answer::Acknowledged);
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received >= 2; }, 20s));
  std::vector<std::string> wbc;
  for (const auto& m : lis.ledger().messages()) {
    for (std::size_t i = 0; i < m.codes.size(); ++i) {
      if (m.codes[i] == "WBC")
        wbc.push_back(m.values[i]);
    }
  }
  EXPECT_EQ(wbc, std::vector<std::string>{"7.00"});
  EXPECT_EQ(h.query_value("SELECT status FROM order_tests WHERE code = 'WBC'"), "resulted");
}

}  // namespace
}  // namespace hemalink::orders
