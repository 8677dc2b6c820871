// The simulator's HL7 coagulation panels into a daemon with the example configuration: cs-hl7
// (generic-hl7 on loinc-coag) gives every result the canonical code the coagulation rules read,
// and the rules decide them as they decide the same values sent by the Sysmex CS over ASTM.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "server/api/api_tokens.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;

constexpr std::size_t kPanels = 20;
constexpr std::uint32_t kSeed = 34;

void play(testing::DaemonHarness& h, const std::string& analyzer, WireProtocol protocol) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", h.port(analyzer)}};
  plan.messages = simulate::generate(simulate::Panel::Coag, protocol, kPanels, kSeed);
  plan.timeout = std::chrono::seconds(60);
  const auto report = simulate::run_simulation(plan);
  for (const auto& e : report.errors)
    ADD_FAILURE() << analyzer << ": " << e;
  for (const auto& r : report.results)
    EXPECT_EQ(r.answer, simulate::Answer::Acknowledged) << analyzer << ": " << r.detail;
}

// Per result of the analyzer's specimens, in arrival order: code, value, decision, reason and
// the rules that fired.
std::vector<std::vector<std::string>> decided(testing::DaemonHarness& h,
                                              const std::string& analyzer) {
  return h.query_rows(
      fmt::format("SELECT r.code, r.numeric_value::text, d.decision, d.reason,"
                  " (SELECT string_agg(f->>'rule_id', ',' ORDER BY f->>'rule_id')"
                  "  FROM jsonb_array_elements(d.rules_fired) f WHERE f->>'action' <> 'comment')"
                  " FROM results r JOIN specimens s ON s.id = r.specimen_row_id"
                  " JOIN analyzers a ON a.id = s.analyzer_id"
                  " JOIN decisions d ON d.result_id = r.id AND d.is_current"
                  " WHERE a.name = '{}' ORDER BY s.id, r.code",
                  analyzer));
}

TEST(Hl7Coagulation, TheSimulatorsPanelsAreDecidedByTheCoagulationRulesAsOverAstm) {
  HL_REQUIRE_POSTGRES();
  auto c = testing::example_configuration_on_loopback();
  // No LIS orders and no control run here: the rules alone decide, on both analyzers alike.
  c.orders.hold_results_not_ordered = false;
  c.orders.hold_specimens_without_order = false;
  c.qc.hold_unknown = false;
  const auto viewer = api::make_token();
  c.http.tokens = {{"vera", config::ApiRole::Viewer, viewer.sha256}};
  testing::DaemonHarness h(c);
  play(h, "cs-hl7", WireProtocol::Hl7);
  play(h, "cs-1", WireProtocol::Astm);

  const auto hl7 = decided(h, "cs-hl7");
  const auto astm = decided(h, "cs-1");
  ASSERT_EQ(hl7.size(), kPanels * 6);
  ASSERT_EQ(astm.size(), hl7.size());
  const std::set<std::string> canonical = {"PT_SEC", "PT_PCT", "INR", "APTT", "FIB", "DDIMER"};
  std::set<std::string> verdicts;
  for (std::size_t i = 0; i < hl7.size(); ++i) {
    const auto& r = hl7[i];
    EXPECT_TRUE(canonical.contains(r[0])) << "result " << i << " coded " << r[0];
    EXPECT_NE(r[3], "no rule released this result") << r[0] << " " << r[1];
    EXPECT_FALSE(r[4].empty()) << r[0] << " " << r[1] << ": no coagulation rule decided it";
    EXPECT_EQ(r, astm[i]) << "result " << i << ": HL7 and ASTM decided the same values apart";
    verdicts.insert(r[2]);
  }
  EXPECT_TRUE(verdicts.contains("release")) << "the panels' normal values are released";

  const auto specimen = h.query_value(
      "SELECT s.specimen_id FROM specimens s JOIN analyzers a ON a.id = s.analyzer_id"
      " WHERE a.name = 'cs-hl7' ORDER BY s.id LIMIT 1");
  const auto page = testing::http_request(h.daemon().http_port(), "GET",
                                          "/api/v1/specimens/" + specimen, viewer.token);
  ASSERT_EQ(page.status, 200) << page.body;
  const auto document = page.json();
  std::map<std::string, std::string> names;
  for (const auto& r : document["transmissions"][0]["results"])
    names[r["code"]] = r["name"];
  EXPECT_EQ(names, (std::map<std::string, std::string>{{"APTT", "APTT"},
                                                       {"DDIMER", "D-dimer"},
                                                       {"FIB", "Fibrinogen (Clauss)"},
                                                       {"INR", "INR"},
                                                       {"PT_PCT", "PT %"},
                                                       {"PT_SEC", "PT"}}));
}

}  // namespace
}  // namespace hemalink::daemon
