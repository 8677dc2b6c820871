// The QC gate through the daemon: Sysmex XN control results are judged as they are stored, a
// rejected run holds the next patient result of that test on that analyzer (and of no other
// test or analyzer), an accepted run releases the gate, and a restart keeps it where it was.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/api/api_tokens.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::qc {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::AnalyzerSocket;
using testing::DaemonHarness;

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

// XN-CHECK level 1 on both XNs: WBC 6.00 +/- 0.20, HGB 13.0 +/- 0.30 (the XN names its QC file
// by sample number, which is the level).
constexpr const char* kControls = R"({
  "controls": [
    {"analyzer": "xn-1", "test": "WBC", "level": "QC-L1", "mean": 6.00, "sd": 0.20},
    {"analyzer": "xn-1", "test": "HGB", "level": "QC-L1", "mean": 13.0, "sd": 0.30},
    {"analyzer": "xn-2", "test": "WBC", "level": "QC-L1", "mean": 6.00, "sd": 0.20},
    {"analyzer": "xn-2", "test": "HGB", "level": "QC-L1", "mean": 13.0, "sd": 0.30}
  ]
})";

const api::NewToken kViewer = api::make_token();

config::DaemonConfig lab(const testing::TempDir& dir) {
  std::ofstream(dir / "controls.json") << kControls;
  config::DaemonConfig c;
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = {{"vera", config::ApiRole::Viewer, kViewer.sha256}};
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("xn-2", "sysmex-xn", WireProtocol::Astm));
  c.rules.files = {kRules / "cbc.json"};
  c.qc.controls_file = dir / "controls.json";
  config::LisDestination lis;  // nobody listens: released results wait in the outbox
  lis.name = "lis";
  lis.transport = config::TcpClientTransport{"127.0.0.1", 1, 1000ms, 30000ms, std::nullopt};
  c.lis.push_back(lis);
  return c;
}

// A Sysmex XN message: O-12 `Q` for a control, `N` for a patient (each patient their own, so no
// delta check interferes).
std::string xn_message(const std::string& sample, bool is_qc, double wbc, double hgb,
                       const std::string& measured_at) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||{}|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC\\^^^^HGB|||||||{}||||||||||||||F\r"
      "R|1|^^^^WBC^1|{:.2f}|10*3/uL||N||F||||{}\r"
      "R|2|^^^^HGB^1|{:.1f}|g/dL||N||F||||{}\r"
      "L|1|N\r",
      is_qc ? "" : "P-" + sample, sample, is_qc ? "Q" : "N", wbc, measured_at, hgb, measured_at);
}

void send(DaemonHarness& h, const std::string& analyzer, const std::string& records) {
  AnalyzerSocket s(h.port(analyzer));
  ASSERT_TRUE(s.send_e1381(records, 20s)) << "the message was acknowledged once stored";
}

void control(DaemonHarness& h, const std::string& analyzer, double wbc, double hgb,
             const std::string& measured_at) {
  send(h, analyzer, xn_message("QC-L1", true, wbc, hgb, measured_at));
}

void patient(DaemonHarness& h, const std::string& analyzer, const std::string& specimen) {
  send(h, analyzer, xn_message(specimen, false, 6.5, 13.9, "20261207093000"));
}

std::string decision_of(DaemonHarness& h, const std::string& specimen, const std::string& code,
                        const std::string& column = "d.decision") {
  return h.query_value(
      fmt::format("SELECT {} FROM decisions d JOIN results r ON r.id = d.result_id "
                  "WHERE d.is_current AND r.specimen_id = '{}' AND r.code = '{}'",
                  column, specimen, code));
}

nlohmann::json api_get(DaemonHarness& h, const std::string& target) {
  const auto reply = testing::http_request(h.daemon().http_port(), "GET", target, kViewer.token);
  EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
  return reply.status == 200 ? reply.json() : nlohmann::json::object();
}

TEST(QcGate, ARejectedRunHoldsThatTestOnThatAnalyzerUntilAnAcceptedRun) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-gate");
  DaemonHarness h(lab(dir));
  control(h, "xn-1", 6.05, 13.1, "20261207080000");
  control(h, "xn-2", 6.05, 13.1, "20261207080000");
  patient(h, "xn-1", "S-1");
  EXPECT_EQ(decision_of(h, "S-1", "WBC"), "release");
  EXPECT_EQ(decision_of(h, "S-1", "HGB"), "release");

  control(h, "xn-1", 6.80, 13.1, "20261207090000");  // WBC +4.0 SD: 1-3s
  const auto judged = h.query_rows(
      "SELECT q.phase, round(q.z::numeric, 2)::text, q.run_rejected::text, "
      "(q.violations @> '[{\"rule\": \"1-3s\"}]')::text, r.value FROM qc_evaluations q JOIN "
      "results r ON r.id = "
      "q.result_id JOIN analyzers a ON a.id = q.analyzer_id "
      "WHERE a.name = 'xn-1' AND q.test = 'WBC' ORDER BY q.id DESC LIMIT 1");
  ASSERT_EQ(judged.size(), 1U);
  EXPECT_EQ(judged[0], (std::vector<std::string>{"judged", "4.00", "true", "true", "6.80"}));

  patient(h, "xn-1", "S-2");
  patient(h, "xn-2", "S-3");
  EXPECT_EQ(decision_of(h, "S-2", "WBC"), "hold");
  const auto reason = decision_of(h, "S-2", "WBC", "d.reason");
  EXPECT_TRUE(reason.starts_with("QC rejected at ")) << reason;
  EXPECT_NE(reason.find("1-3s"), std::string::npos) << reason;
  EXPECT_EQ(decision_of(h, "S-2", "WBC", "d.decided_by"), "system:qc-gate");
  EXPECT_EQ(decision_of(h, "S-2", "WBC", "d.rules_fired->-1->>'rule_id'"), "qc-gate");
  EXPECT_EQ(decision_of(h, "S-2", "HGB"), "release") << "HGB's QC was accepted";
  EXPECT_EQ(decision_of(h, "S-3", "WBC"), "release") << "xn-2's QC was accepted";
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox o JOIN specimens s ON s.id = o.specimen_row_id "
                    "WHERE s.specimen_id = 'S-2' AND array_length(o.result_ids, 1) = 1"),
            1)
      << "only HGB of S-2 goes to the LIS";

  const auto gates = api_get(h, "/api/v1/qc/gates?analyzer=xn-1")["gates"];
  ASSERT_EQ(gates.size(), 2U) << gates.dump();
  for (const auto& g : gates) {
    EXPECT_EQ(g["status"], g["test"] == "WBC" ? "out" : "in") << g.dump();
    EXPECT_EQ(g["under_qc"], true);
  }

  control(h, "xn-1", 6.02, 13.0, "20261207093000");  // the level again: a new run, accepted
  patient(h, "xn-1", "S-4");
  EXPECT_EQ(decision_of(h, "S-4", "WBC"), "release");

  // Bracketing: S-1's WBC was released between the last accepted run and the failure; S-2's was
  // held, S-4's came after the accepted run that ended it.
  const auto bracket = api_get(h, "/api/v1/qc/xn-1/WBC/bracket");
  ASSERT_EQ(bracket["results"].size(), 1U) << bracket.dump();
  EXPECT_EQ(bracket["results"][0]["specimen_id"], "S-1");
  EXPECT_FALSE(bracket["failed_at"].is_null());
  EXPECT_FALSE(bracket["accepted_after"].is_null());

  const auto series = api_get(h, "/api/v1/qc/xn-1/WBC");
  ASSERT_EQ(series["levels"].size(), 1U) << series.dump();
  const auto& points = series["levels"][0]["points"];
  ASSERT_EQ(points.size(), 3U);
  EXPECT_EQ(series["levels"][0]["level"], "QC-L1");
  EXPECT_DOUBLE_EQ(points[1]["value"].get<double>(), 6.80);
  EXPECT_EQ(points[1]["run_rejected"], true);
  EXPECT_EQ(points[2]["run_rejected"], false);
  EXPECT_DOUBLE_EQ(points[0]["mean"].get<double>(), 6.0);
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations"), 8)
      << "every control result judged once, with its result";
}

TEST(QcGate, ARestartKeepsTheGateWhereItWas) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-restart");
  DaemonHarness h(lab(dir));
  control(h, "xn-1", 6.05, 13.1, "20261207080000");
  control(h, "xn-1", 6.05, 12.0, "20261207090000");  // HGB -3.3 SD: 1-3s
  h.restart();
  patient(h, "xn-1", "S-5");
  EXPECT_EQ(decision_of(h, "S-5", "HGB"), "hold");
  EXPECT_TRUE(decision_of(h, "S-5", "HGB", "d.reason").starts_with("QC rejected at "));
  EXPECT_EQ(decision_of(h, "S-5", "WBC"), "release");

  control(h, "xn-1", 6.05, 12.0, "20261207090000");  // the same measurement, sent again
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations"), 4)
      << "a retransmission is stored as a duplicate, not judged again";
  control(h, "xn-1", 6.00, 13.0, "20261207100000");
  patient(h, "xn-1", "S-6");
  EXPECT_EQ(decision_of(h, "S-6", "HGB"), "release");
}

}  // namespace
}  // namespace hemalink::qc
