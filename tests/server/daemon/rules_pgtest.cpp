// The rules engine in the daemon: decisions stored with the rules that fired and the rule set
// version, delta checks against earlier messages, calculations across analyzers for one specimen,
// and a reload with a bad rules file keeping the running set.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/simulate/simulation.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/xn_message.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::AnalyzerSocket;
using testing::DaemonHarness;

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

daemon::DaemonConfig lab() {
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  auto facs = testing::tcp_analyzer("facs-1", "generic-hl7", WireProtocol::Hl7);
  facs.base = "loinc-lymphocyte-subsets";  // FACSLink relays BD results LOINC-coded
  c.analyzers.push_back(facs);
  c.rules.files = {kRules / "cbc.json", kRules / "coag.json", kRules / "flow.json"};
  // A LIS nobody listens on: released results wait in the outbox.
  lis::LisDestination lis;
  lis.name = "lis";
  lis.transport = config::TcpClientTransport{"127.0.0.1", 1, 1000ms, 30000ms, std::nullopt};
  c.lis.push_back(lis);
  return c;
}

// A Sysmex XN CBC (ASTM records) for one specimen of patient P-77.
std::string cbc(const std::string& specimen, double hgb, double lymph_abs = 1.85) {
  return testing::xn_message(specimen, "P-77", false,
                             {{"WBC", "6.10", "10*3/uL"},
                              {"HGB", fmt::format("{:.1f}", hgb), "g/dL"},
                              {"LYMPH#", fmt::format("{:.2f}", lymph_abs), "10*3/uL"}},
                             "20261122101500");
}

// A BD FACS lymphocyte subset result relayed by FACSLink (HL7 ORU, LOINC-coded) with CD4 % and CD8
// % only: a dual-platform laboratory takes the lymphocyte count from the CBC.
std::string flow_percentages(const std::string& specimen) {
  return fmt::format(
      "MSH|^~\\&|FACSLyric^BD|LAB|hemalink|LAB|20261122110000||ORU^R01^ORU_R01|F-{}|P|2.5.1\r"
      "PID|1||P-77^^^HOSP^MR||Doe^Jane||19720101|F\r"
      "OBR|1|ORD-1|{}|57790-6^Lymphocyte subset panel^LN|||20261122101500\r"
      "OBX|1|NM|8123-2^CD4%^LN||42.0|%|31-60|N|||F\r"
      "OBX|2|NM|8101-8^CD8%^LN||21.0|%|13-41|N|||F\r",
      specimen, specimen);
}

void send_cbc(DaemonHarness& h, const std::string& records) {
  AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send_e1381(records, 20s)) << "the message was acknowledged once stored";
}

TEST(Rules, DecisionsAreStoredWithTheRulesThatFiredAndTheRuleSetVersion) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab());
  send_cbc(h, cbc("XS-1", 13.4));
  EXPECT_EQ(h.decision_of("XS-1", "HGB"), "release");
  EXPECT_EQ(h.decision_of("XS-1", "HGB", "d.rules_fired->0->>'rule_id'"), "cbc-release");
  const auto version = h.decision_of("XS-1", "HGB", "d.rule_set_version");
  EXPECT_TRUE(version.starts_with("cbc-2026.12+coag-2026.12+flow-2026.11#")) << version;
  EXPECT_EQ(h.decision_of("XS-1", "HGB", "d.decided_by"), "rules:" + version);
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox o JOIN specimens s ON s.id = o.specimen_row_id "
                    "WHERE s.specimen_id = 'XS-1'"),
            1)
      << "released results go to the outbox";
}

TEST(Rules, ADeltaCheckReadsThePatientsEarlierMessage) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab());
  send_cbc(h, cbc("XS-2", 13.5));
  send_cbc(h, cbc("XS-3", 9.2));
  EXPECT_EQ(h.decision_of("XS-3", "HGB"), "hold");
  EXPECT_EQ(h.decision_of("XS-3", "HGB", "d.reason"),
            "HGB changed by more than 3.0 g/dL within 72 h");
  EXPECT_EQ(h.decision_of("XS-3", "WBC"), "release");
}

TEST(Rules, AbsoluteCd4IsCalculatedFromTheCbcOfTheSameSpecimenOnAnotherAnalyzer) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab());
  send_cbc(h, cbc("XS-9", 13.0, 1.85));
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Hl7;
  plan.targets = {{"127.0.0.1", h.port("facs-1")}};
  plan.messages = {flow_percentages("XS-9")};
  plan.timeout = 30s;
  const auto report = simulate::run_simulation(plan);
  ASSERT_EQ(report.results.size(), 1u);
  ASSERT_EQ(report.results[0].answer, simulate::Answer::Acknowledged);
  const auto rows = h.query_rows(
      "SELECT r.value, r.units, a.name, d.decision, d.rules_fired->0->>'rule_id' "
      "FROM results r JOIN analyzers a ON a.id = r.analyzer_id "
      "JOIN decisions d ON d.result_id = r.id AND d.is_current "
      "WHERE r.specimen_id = 'XS-9' AND r.code = 'CD4_ABS'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"777", "/uL", "facs-1", "release",
                                               "cd4-absolute-dual-platform"}));
}

TEST(Rules, AReloadWithABadRulesFileKeepsTheRunningSet) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("rules-reload");
  std::filesystem::copy_file(kRules / "cbc.json", dir.path() / "cbc.json");
  auto config = lab();
  config.rules.files = {dir.path() / "cbc.json"};
  DaemonHarness h(config);
  send_cbc(h, cbc("XS-20", 13.4));
  const auto before = h.decision_of("XS-20", "HGB", "d.rule_set_version");

  std::ofstream(dir.path() / "cbc.json")
      << R"({"rules": [{"id": "x", "applies_to": ["HGB"], "when": "valu > 1", "action": "release"}]})";
  auto reloaded = h.config();
  EXPECT_FALSE(h.daemon().reload(reloaded));
  send_cbc(h, cbc("XS-21", 13.4));
  EXPECT_EQ(h.decision_of("XS-21", "HGB", "d.rule_set_version"), before);
  EXPECT_EQ(h.decision_of("XS-21", "HGB"), "release");

  std::ofstream(dir.path() / "cbc.json") << R"({"version": "hold-all", "rules": [
      {"id": "hold-hgb", "applies_to": ["HGB"], "when": "true", "action": "hold",
       "reason": "held by the new set"}]})";
  EXPECT_TRUE(h.daemon().reload(reloaded));
  send_cbc(h, cbc("XS-22", 13.4));
  EXPECT_EQ(h.decision_of("XS-22", "HGB", "d.reason"), "held by the new set");
  EXPECT_TRUE(h.decision_of("XS-22", "HGB", "d.rule_set_version").starts_with("hold-all#"));
}

}  // namespace
}  // namespace hemalink::daemon
