// The rules engine in the daemon: decisions stored with the rules that fired and the rule set
// version, delta checks against earlier messages, calculations across analyzers for one specimen,
// a reload with a bad rules file keeping the running set, and the live rule set version deciding
// (changed files are a draft until promoted).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/simulate/simulation.hpp"
#include "server/validation/postgres_shadow_records.hpp"
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

// The lab deciding with a copy of the shipped cbc.json in `dir`, which the test changes.
daemon::DaemonConfig lab_with_rules_in(const testing::TempDir& dir) {
  std::filesystem::copy_file(kRules / "cbc.json", dir.path() / "cbc.json");
  auto config = lab();
  config.rules.files = {dir.path() / "cbc.json"};
  return config;
}

const char* const kHoldAll = R"({"version": "hold-all", "rules": [
    {"id": "hold-hgb", "applies_to": ["HGB"], "when": "true", "action": "hold",
     "reason": "held by the new set"}]})";

// The newest version stored as a draft.
std::string newest_draft(const DaemonHarness& h) {
  return h.query_value(
      "SELECT version FROM rule_set_versions WHERE status = 'draft' ORDER BY id DESC LIMIT 1");
}

// Promotes `version` to live as an admin would. Its backtest row is written here as the backtest
// would write it (done, no would-be false negatives): the backtest itself is the validation
// room's, tested there; these tests are about what the daemon decides with.
void promote(const DaemonHarness& h, const std::string& version) {
  h.execute(
      fmt::format("INSERT INTO rule_backtests (candidate_version, candidate, requested_by, status,"
                  " false_negatives) VALUES ('{}', '[]', 'user:test', 'done', 0)",
                  version));
  const auto backtest = std::stoll(h.query_value("SELECT max(id) FROM rule_backtests"));
  const rules::PostgresRuleSetVersions versions(h.dsn());
  const auto found = versions.find(version);
  ASSERT_TRUE(found && *found) << version;
  const auto promoted =
      versions.change_status({(*found)->id, rules::VersionStatus::Live, backtest, "", "user:test"});
  ASSERT_TRUE(promoted) << promoted.error().detail;
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
  DaemonHarness h(lab_with_rules_in(dir));
  send_cbc(h, cbc("XS-20", 13.4));
  const auto before = h.decision_of("XS-20", "HGB", "d.rule_set_version");

  std::ofstream(dir.path() / "cbc.json")
      << R"({"rules": [{"id": "x", "applies_to": ["HGB"], "when": "valu > 1", "action": "release"}]})";
  auto reloaded = h.config();
  EXPECT_FALSE(h.daemon().reload(reloaded));
  send_cbc(h, cbc("XS-21", 13.4));
  EXPECT_EQ(h.decision_of("XS-21", "HGB", "d.rule_set_version"), before);
  EXPECT_EQ(h.decision_of("XS-21", "HGB"), "release");

  std::ofstream(dir.path() / "cbc.json") << kHoldAll;
  EXPECT_TRUE(h.daemon().reload(reloaded));
  send_cbc(h, cbc("XS-22", 13.4));
  EXPECT_EQ(h.decision_of("XS-22", "HGB", "d.rule_set_version"), before)
      << "the changed files are a draft: the live version decides";
  promote(h, newest_draft(h));
  EXPECT_TRUE(h.daemon().reload(reloaded)) << "a reload puts the version live now in force";
  send_cbc(h, cbc("XS-23", 13.4));
  EXPECT_EQ(h.decision_of("XS-23", "HGB", "d.reason"), "held by the new set");
  EXPECT_TRUE(h.decision_of("XS-23", "HGB", "d.rule_set_version").starts_with("hold-all#"));
}

TEST(Rules, TheFirstStartMakesTheFilesLiveAndChangedFilesADraftUntilPromoted) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("rules-versions");
  DaemonHarness h(lab_with_rules_in(dir));
  send_cbc(h, cbc("XS-30", 13.4));
  const auto first = h.decision_of("XS-30", "HGB", "d.rule_set_version");
  EXPECT_EQ(h.query_rows("SELECT version, status, author FROM rule_set_versions"),
            (std::vector<std::vector<std::string>>{{first, "live", "system:start"}}));
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'rule_set_version'"
                    " AND action = 'rule_set_live' AND actor = 'system:start'"),
            1);

  h.restart();
  EXPECT_EQ(h.count("SELECT count(*) FROM rule_set_versions"), 1) << "the same files: no change";

  std::ofstream(dir.path() / "cbc.json") << kHoldAll;
  h.restart();
  const auto draft = newest_draft(h);
  EXPECT_TRUE(draft.starts_with("hold-all#")) << draft;
  send_cbc(h, cbc("XS-31", 13.4));
  EXPECT_EQ(h.decision_of("XS-31", "HGB", "d.rule_set_version"), first)
      << "the files are a draft: the live version's stored content decides";
  EXPECT_EQ(h.decision_of("XS-31", "HGB"), "release");

  promote(h, draft);
  h.restart();
  send_cbc(h, cbc("XS-32", 13.4));
  EXPECT_EQ(h.decision_of("XS-32", "HGB", "d.rule_set_version"), draft);
  EXPECT_EQ(h.decision_of("XS-32", "HGB", "d.reason"), "held by the new set");
  EXPECT_EQ(h.query_value(
                fmt::format("SELECT status FROM rule_set_versions WHERE version = '{}'", first)),
            "retired");
}

// A version in shadow decides every result beside the live set, in the same transaction, into
// its own table: the live set's releases still go to the LIS, the shadow's holds hold nothing.
TEST(Rules, AVersionInShadowDecidesBesideTheLiveSetAndNeverActs) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("rules-shadow");
  DaemonHarness h(lab_with_rules_in(dir));
  const auto live = h.query_value("SELECT version FROM rule_set_versions WHERE status = 'live'");
  std::ofstream(dir.path() / "cbc.json") << kHoldAll;
  h.restart();
  const auto draft = newest_draft(h);
  const rules::PostgresRuleSetVersions versions(h.dsn());
  const auto id = std::stoll(
      h.query_value(fmt::format("SELECT id FROM rule_set_versions WHERE version = '{}'", draft)));
  const auto moved =
      versions.change_status({id, rules::VersionStatus::Shadow, std::nullopt, "", "user:test"});
  ASSERT_TRUE(moved) << moved.error().detail;
  h.restart();

  send_cbc(h, cbc("XS-40", 13.4));
  EXPECT_EQ(h.decision_of("XS-40", "HGB", "d.rule_set_version"), live);
  EXPECT_EQ(h.decision_of("XS-40", "HGB"), "release");
  const auto results = h.count("SELECT count(*) FROM results WHERE specimen_id = 'XS-40'");
  EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM shadow_decisions s JOIN results r"
                                " ON r.id = s.result_id WHERE r.specimen_id = 'XS-40'"
                                " AND s.rule_set_version = '{}' AND s.decision = 'hold'",
                                draft)),
            results);
  EXPECT_EQ(
      h.query_value("SELECT s.reason FROM shadow_decisions s JOIN results r"
                    " ON r.id = s.result_id WHERE r.specimen_id = 'XS-40' AND r.code = 'HGB'"),
      "held by the new set");
  // What the live set released goes to the LIS as it did; the shadow's holds change nothing.
  const auto released = h.count(
      "SELECT count(*) FROM results r JOIN decisions d ON d.result_id = r.id AND d.is_current"
      " WHERE r.specimen_id = 'XS-40' AND d.decision = 'release'");
  ASSERT_GT(released, 0);
  EXPECT_EQ(h.count("SELECT coalesce(sum(cardinality(result_ids)), 0) FROM outbox"
                    " WHERE specimen_id = 'XS-40'"),
            released * static_cast<long long>(h.config().lis.size()));

  const auto compared = validation::PostgresShadowRecords(h.dsn()).comparison(std::nullopt, 10);
  ASSERT_TRUE(compared) << compared.error().detail;
  const auto json = nlohmann::json::parse(*compared);
  EXPECT_EQ(json["version"], draft);
  EXPECT_EQ(json["results"], results);
  EXPECT_EQ(json["agreement"]["live"]["only_candidate_holds"], released);
  EXPECT_EQ(static_cast<long long>(json["disagreements"].size()),
            std::min<long long>(released, 10));
  EXPECT_EQ(json["disagreements"][0]["shadow"], "hold");
  EXPECT_EQ(json["disagreements"][0]["live"], "release");
}

}  // namespace
}  // namespace hemalink::daemon
