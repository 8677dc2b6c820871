// The QC gate through the daemon: Sysmex XN control results are judged as they are stored, a
// rejected run holds the next patient result of that test on that analyzer (and of no other
// test or analyzer), an accepted run releases the gate, and a restart keeps it where it was.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "server/api/api_tokens.hpp"
#include "server/simulate/qc_traffic.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/xn_message.hpp"

namespace hemalink::qc {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::AnalyzerSocket;
using testing::DaemonHarness;
using testing::xn_message;

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

// XN-CHECK level 1 on both XNs: WBC 6.00 +/- 0.20, HGB 13.0 +/- 0.30 (the XN names its QC file
// by sample number, which is the level).
constexpr const char* kControls = R"({
  "controls": [
    {"analyzer": "xn-1", "test": "WBC", "level": "QC-L1", "mean": 6.00, "sd": 0.20},
    {"analyzer": "xn-1", "test": "HGB", "level": "QC-L1", "mean": 13.0, "sd": 0.30},
    {"analyzer": "xn-1", "test": "MCV", "level": "QC-L1", "mean": 82.0, "sd": 0.80},
    {"analyzer": "xn-2", "test": "WBC", "level": "QC-L1", "mean": 6.00, "sd": 0.20},
    {"analyzer": "xn-2", "test": "HGB", "level": "QC-L1", "mean": 13.0, "sd": 0.30}
  ]
})";

const api::NewToken kViewer = api::make_token();
const api::NewToken kAdmin = api::make_token();
const api::NewToken kTechnologist = api::make_token();

daemon::DaemonConfig lab(const testing::TempDir& dir) {
  std::ofstream(dir / "controls.json") << kControls;
  daemon::DaemonConfig c;
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = {{"vera", config::ApiRole::Viewer, kViewer.sha256},
                   {"ada", config::ApiRole::Admin, kAdmin.sha256},
                   {"tom", config::ApiRole::Technologist, kTechnologist.sha256}};
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("xn-2", "sysmex-xn", WireProtocol::Astm));
  c.rules.files = {kRules / "cbc.json"};
  c.qc.controls_file = dir / "controls.json";
  lis::LisDestination lis;  // nobody listens: released results wait in the outbox
  lis.name = "lis";
  lis.transport = config::TcpClientTransport{"127.0.0.1", 1, 1000ms, 30000ms, std::nullopt};
  c.lis.push_back(lis);
  return c;
}

// A Sysmex XN message: O-12 `Q` for a control, `N` for a patient (each patient their own, so no
// delta check interferes).
std::string xn_message(const std::string& sample, bool is_qc, double wbc, double hgb,
                       const std::string& measured_at) {
  return xn_message(sample, is_qc,
                    {{"WBC", fmt::format("{:.2f}", wbc)}, {"HGB", fmt::format("{:.1f}", hgb)}},
                    measured_at);
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
  EXPECT_EQ(h.decision_of("S-1", "WBC"), "release");
  EXPECT_EQ(h.decision_of("S-1", "HGB"), "release");

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
  EXPECT_EQ(h.decision_of("S-2", "WBC"), "hold");
  const auto reason = h.decision_of("S-2", "WBC", "d.reason");
  EXPECT_TRUE(reason.starts_with("QC rejected at ")) << reason;
  EXPECT_NE(reason.find("1-3s"), std::string::npos) << reason;
  EXPECT_EQ(h.decision_of("S-2", "WBC", "d.decided_by"), "system:qc-gate");
  EXPECT_EQ(h.decision_of("S-2", "WBC", "d.rules_fired->-1->>'rule_id'"), "qc-gate");
  EXPECT_EQ(h.decision_of("S-2", "HGB"), "release") << "HGB's QC was accepted";
  EXPECT_EQ(h.decision_of("S-3", "WBC"), "release") << "xn-2's QC was accepted";
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox o JOIN specimens s ON s.id = o.specimen_row_id "
                    "WHERE s.specimen_id = 'S-2' AND array_length(o.result_ids, 1) = 1"),
            1)
      << "only HGB of S-2 goes to the LIS";

  const auto gates = api_get(h, "/api/v1/qc/gates?analyzer=xn-1")["gates"];
  ASSERT_EQ(gates.size(), 3U) << gates.dump();
  for (const auto& g : gates) {
    const auto expected = g["test"] == "WBC" ? "out" : g["test"] == "HGB" ? "in" : "unknown";
    EXPECT_EQ(g["status"], expected) << g.dump() << ": MCV has a control but no run yet";
    EXPECT_EQ(g["under_qc"], true);
  }

  control(h, "xn-1", 6.02, 13.0, "20261207093000");  // the level again: a new run, accepted
  patient(h, "xn-1", "S-4");
  EXPECT_EQ(h.decision_of("S-4", "WBC"), "release");

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

nlohmann::json api_post(DaemonHarness& h, const std::string& target, const nlohmann::json& body) {
  const auto reply = testing::http_request(h.daemon().http_port(), "POST", target,
                                           kTechnologist.token, body.dump());
  EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
  return reply.status == 200 ? reply.json() : nlohmann::json::object();
}

long long wbc_of(DaemonHarness& h, const std::string& specimen) {
  return h.count(
      fmt::format("SELECT id FROM results WHERE specimen_id = '{}' AND code = 'WBC'", specimen));
}

// The held results of a failed run as one group, still listed once QC is accepted again, and
// decided as one: every result audited, the one a colleague decided meanwhile skipped by name.
TEST(QcGate, TheResultsAFailedRunHeldAreOneGroupDecidedTogetherAndAuditedEach) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-held");
  DaemonHarness h(lab(dir));
  control(h, "xn-1", 6.05, 13.1, "20261207080000");
  control(h, "xn-1", 6.80, 13.1, "20261207090000");  // WBC 1-3s
  for (const auto* s : {"S-2", "S-3", "S-4"}) {
    patient(h, "xn-1", s);
    ASSERT_EQ(h.decision_of(s, "WBC", "d.decided_by"), "system:qc-gate");
  }
  const auto out = api_get(h, "/api/v1/qc/held")["groups"];
  ASSERT_EQ(out.size(), 1U) << out.dump();
  EXPECT_EQ(out[0]["still_out"], true);
  EXPECT_TRUE(out[0]["accepted_at"].is_null());
  EXPECT_EQ(out[0]["rules"], nlohmann::json::array({"1-3s"}));
  EXPECT_EQ(out[0]["held"].size(), 3U);
  const auto rejected_at = out[0]["rejected_at"].get<std::string>();
  EXPECT_EQ(out[0]["reason"].get<std::string>().rfind("QC rejected at " + rejected_at, 0), 0U);

  api_post(h, fmt::format("/api/v1/review/{}/reject", wbc_of(h, "S-3")),
           {{"comment", "clotted, by a colleague"}});
  control(h, "xn-1", 6.02, 13.0, "20261207093000");  // accepted again
  const auto back = api_get(h, "/api/v1/qc/held")["groups"];
  ASSERT_EQ(back.size(), 1U) << "listed until every result is decided: " << back.dump();
  EXPECT_EQ(back[0]["still_out"], false);
  EXPECT_FALSE(back[0]["accepted_at"].is_null());
  EXPECT_EQ(back[0]["decided"], 1);
  ASSERT_EQ(back[0]["held"].size(), 2U);
  EXPECT_EQ(back[0]["held"][0]["specimen_id"], "S-2");
  EXPECT_EQ(back[0]["held"][1]["specimen_id"], "S-4");

  const auto answer =
      api_post(h, "/api/v1/qc/held/xn-1/WBC/" + rejected_at,
               {{"verdict", "release"},
                {"comment", "QC repeat in control"},
                {"result_ids", {wbc_of(h, "S-2"), wbc_of(h, "S-3"), wbc_of(h, "S-4")}}});
  ASSERT_EQ(answer["decided"].size(), 2U) << answer.dump();
  ASSERT_EQ(answer["skipped"].size(), 1U) << answer.dump();
  EXPECT_EQ(answer["skipped"][0]["specimen_id"], "S-3");
  EXPECT_EQ(answer["skipped"][0]["decision"], "reject");
  EXPECT_EQ(answer["skipped"][0]["decided_by"], "user:tom");
  for (const auto* s : {"S-2", "S-4"}) {
    EXPECT_EQ(h.decision_of(s, "WBC"), "release") << s;
    EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM audit_log WHERE entity = 'result' AND "
                                  "entity_id = '{}' AND actor = 'user:tom' AND action = "
                                  "'release' AND after->>'reason' = 'QC repeat in control' "
                                  "AND before->>'decided_by' = 'system:qc-gate'",
                                  wbc_of(h, s))),
              1)
        << s << ": one audit row per result";
    EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM outbox WHERE {} = ANY (result_ids)",
                                  wbc_of(h, s))),
              1)
        << s << " queued for the LIS";
  }
  EXPECT_EQ(h.decision_of("S-3", "WBC"), "reject") << "the colleague's decision stands";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'result'"), 3)
      << "the colleague's reject and the two releases";
  EXPECT_TRUE(api_get(h, "/api/v1/qc/held")["groups"].empty()) << "every result decided";
}

TEST(QcGate, ARestartKeepsTheGateWhereItWas) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-restart");
  DaemonHarness h(lab(dir));
  control(h, "xn-1", 6.05, 13.1, "20261207080000");
  control(h, "xn-1", 6.05, 12.0, "20261207090000");  // HGB -3.3 SD: 1-3s
  h.restart();
  patient(h, "xn-1", "S-5");
  EXPECT_EQ(h.decision_of("S-5", "HGB"), "hold");
  EXPECT_TRUE(h.decision_of("S-5", "HGB", "d.reason").starts_with("QC rejected at "));
  EXPECT_EQ(h.decision_of("S-5", "WBC"), "release");

  control(h, "xn-1", 6.05, 12.0, "20261207090000");  // the same measurement, sent again
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations"), 4)
      << "a retransmission is stored as a duplicate, not judged again";
  control(h, "xn-1", 6.00, 13.0, "20261207100000");
  patient(h, "xn-1", "S-6");
  EXPECT_EQ(h.decision_of("S-6", "HGB"), "release");
}

// The interval through the daemon: a day passes after the last accepted run (its judgements aged
// by 25 hours in the database, the daemon restarted as after a weekend down): the tests are
// unknown and their patient results held, until the next accepted run.
TEST(QcGate, NoAcceptedRunWithinTheIntervalMakesTheTestUnknownAndHoldsIt) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-interval");
  DaemonHarness h(lab(dir));
  control(h, "xn-1", 6.05, 13.1, "20261207080000");
  patient(h, "xn-1", "S-1");
  EXPECT_EQ(h.decision_of("S-1", "WBC"), "release") << "within the 24 h interval";

  h.execute("UPDATE qc_evaluations SET evaluated_at = evaluated_at - interval '25 hours'");
  h.restart();
  patient(h, "xn-1", "S-2");
  EXPECT_EQ(h.decision_of("S-2", "WBC"), "hold");
  EXPECT_TRUE(
      h.decision_of("S-2", "WBC", "d.reason").starts_with("no QC run of WBC on xn-1 within 24 h"))
      << h.decision_of("S-2", "WBC", "d.reason");
  EXPECT_EQ(h.decision_of("S-2", "WBC", "d.decided_by"), "system:qc-gate");
  const auto gates = api_get(h, "/api/v1/qc/gates?analyzer=xn-1")["gates"];
  const auto wbc = std::find_if(gates.begin(), gates.end(),
                                [](const nlohmann::json& g) { return g["test"] == "WBC"; });
  ASSERT_NE(wbc, gates.end()) << gates.dump();
  EXPECT_EQ((*wbc)["status"], "unknown");

  control(h, "xn-1", 5.98, 12.9, "20261208080000");
  patient(h, "xn-1", "S-3");
  EXPECT_EQ(h.decision_of("S-3", "WBC"), "release") << "an accepted run: in again";
}

// Bull's XbarM through the daemon: one MCV batch far off target is a warning (the result is
// released); a second in a row is an alarm (the live events, /metrics, the series), and with
// acts_on_gate it holds MCV until an accepted control run.
TEST(QcGate, AnXbarmExcursionAlarmsAndHoldsTheTestUntilAnAcceptedRun) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-xbarm");
  auto config = lab(dir);
  config.qc.policy.xbarm.batch = 2;
  config.qc.policy.xbarm.acts_on_gate = true;
  DaemonHarness h(config);
  testing::EventSocket events(h.daemon().http_port(), "/api/v1/events", kViewer.token);
  ASSERT_EQ(events.status(), 101);
  const auto mcv = [&](const std::string& specimen, const std::string& value) {
    send(h, "xn-1",
         xn_message(specimen, false, {{"MCV", value}, {"WBC", "6.50"}}, "20261207100000"));
  };
  send(h, "xn-1", xn_message("QC-L1", true, {{"MCV", "82.3"}, {"WBC", "6.02"}}, "20261207090000"));
  mcv("M-1", "90.1");
  mcv("M-2", "89.0");
  EXPECT_EQ(h.decision_of("M-2", "MCV"), "release") << "a batch on target";
  mcv("M-3", "99.5");
  mcv("M-4", "100.2");  // the second batch: about +11 %, the first outside
  EXPECT_EQ(h.decision_of("M-4", "MCV"), "release") << "one batch outside is a warning";
  mcv("M-5", "100.0");
  mcv("M-6", "100.5");  // the third: outside again
  const auto alarm = events.next_of("qc_alarm", 10s);
  ASSERT_TRUE(alarm.has_value());
  EXPECT_EQ((*alarm)["test"], "MCV");
  EXPECT_EQ((*alarm)["method"], "xbarm");
  EXPECT_EQ((*alarm)["outside_points"], 2);
  EXPECT_GT((*alarm)["value"].get<double>(), (*alarm)["high"].get<double>());
  EXPECT_EQ(h.decision_of("M-6", "MCV"), "hold") << "the batch that alarms holds its own";

  mcv("M-7", "90.0");
  EXPECT_EQ(h.decision_of("M-7", "MCV"), "hold");
  EXPECT_TRUE(h.decision_of("M-7", "MCV", "d.reason").starts_with("xbarm of MCV out of its limits"))
      << h.decision_of("M-7", "MCV", "d.reason");
  EXPECT_EQ(h.decision_of("M-7", "WBC"), "release") << "only MCV is held";

  const auto metrics = testing::http_request(h.daemon().http_port(), "GET", "/metrics", "").body;
  EXPECT_NE(metrics.find("hemalink_qc_average_excursions_total{analyzer=\"xn-1\",test=\"MCV\","
                         "method=\"xbarm\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("hemalink_qc_gate{analyzer=\"xn-1\",test=\"MCV\",status=\"out\"} 1"),
            std::string::npos);
  const auto series = api_get(h, "/api/v1/qc/xn-1/MCV/averages");
  ASSERT_EQ(series["points"].size(), 3U) << series.dump();
  EXPECT_EQ(series["points"][0]["outside_points"], 0);
  EXPECT_EQ(series["points"][1]["outside_points"], 1);
  EXPECT_EQ(series["points"][1]["is_excursion"], false);
  EXPECT_EQ(series["points"][2]["outside_points"], 2);
  EXPECT_EQ(series["points"][2]["is_excursion"], true);
  const auto latest = api_get(h, "/api/v1/qc/averages?analyzer=xn-1");
  ASSERT_EQ(latest["averages"].size(), 1U) << latest.dump();
  EXPECT_EQ(latest["averages"][0]["test"], "MCV");
  EXPECT_EQ(latest["averages"][0]["is_excursion"], true);

  // The lab runs its controls (MCV of XN-CHECK level 1 established from the file), accepted.
  send(h, "xn-1", xn_message("QC-L1", true, {{"MCV", "82.0"}, {"WBC", "6.00"}}, "20261207110000"));
  mcv("M-8", "90.0");
  EXPECT_EQ(h.decision_of("M-8", "MCV"), "release") << h.decision_of("M-8", "MCV", "d.reason");
}

// The example's XN-CHECK definitions, as `hemalink simulate --qc-every` runs them.
std::string simulated_controls() {
  nlohmann::json controls = nlohmann::json::array();
  for (const auto& level : simulate::xn_check_levels()) {
    for (const auto& t : level.targets) {
      controls.push_back({{"analyzer", "xn-1"},
                          {"test", t.test},
                          {"sample", level.sample},
                          {"material", level.material},
                          {"level", level.level},
                          {"lot", level.lot},
                          {"mean", t.mean},
                          {"sd", t.sd}});
    }
  }
  return nlohmann::json{{"controls", controls}}.dump();
}

// `hemalink simulate` as a lab runs it against the daemon: 100 CBCs with a control run every 25,
// the second run failing, and from the 51st patient on MCV 6 % high. The failed run holds WBC,
// HGB and PLT of the 25 patients after it that the rules would have released (and no other
// result), the next run releases them again, and the XbarM of MCV alarms.
TEST(QcGate, TheSimulatorsQcDayIsJudgedGatedAndAveragedThroughTheDaemon) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-simulate");
  auto config = lab(dir);
  std::ofstream(dir / "controls.json") << simulated_controls();
  DaemonHarness h(config);
  testing::ChildProcess simulate(
      {HEMALINK_BINARY, "simulate", "--protocol", "astm", "--to",
       fmt::format("127.0.0.1:{}", h.port("xn-1")), "--generate", "cbc", "--count", "100",
       "--qc-every", "25", "--qc-fail-run", "2", "--mcv-shift", "6", "--timeout", "120"},
      dir / "simulate.log");
  ASSERT_EQ(simulate.wait(150s), 0) << "every message acknowledged: see " << dir / "simulate.log";

  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations"), 5 * 2 * 3)
      << "five runs of two levels, three tests each";
  EXPECT_EQ(h.count("SELECT count(DISTINCT run_id) FROM qc_evaluations WHERE run_rejected"), 3)
      << "one run rejected per test";
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations WHERE run_rejected AND level = '2' AND "
                    "violations @> '[{\"rule\": \"1-3s\"}]'"),
            3)
      << "the failed run, judged again as its level 2 arrived, for each test";
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_evaluations WHERE level = '1' AND z > 3.4"), 3)
      << "level 1 of the failed run read +3.5 SD";
  const auto patients = [&](int from, int to, const std::string& where) {
    return h.count(
        fmt::format("SELECT count(*) FROM decisions d JOIN results r ON r.id = d.result_id WHERE "
                    "d.is_current AND r.specimen_id BETWEEN 'SMP{:08}' AND 'SMP{:08}' AND {}",
                    from, to, where));
  };
  const std::string gated = "r.code IN ('WBC', 'HGB', 'PLT')";
  const std::string by_the_gate = "d.decided_by = 'system:qc-gate'";
  EXPECT_EQ(patients(0, 24, by_the_gate), 0) << "before the failure";
  EXPECT_GT(patients(25, 49, by_the_gate), 25) << "after the failed run";
  EXPECT_EQ(patients(25, 49, gated + " AND d.decision = 'release'"), 0)
      << "none of the tests under QC released after the failed run";
  EXPECT_EQ(patients(25, 49, "NOT " + gated + " AND " + by_the_gate), 0) << "only those";
  EXPECT_EQ(patients(50, 99, by_the_gate), 0) << "after the accepted run";
  EXPECT_GT(patients(50, 99, gated + " AND d.decision = 'release'"), 25);
  EXPECT_GE(h.count("SELECT count(*) FROM qc_patient_averages WHERE test = 'MCV' AND "
                    "is_excursion"),
            1)
      << "the XbarM sees the MCV shift";
  EXPECT_EQ(h.count("SELECT count(*) FROM qc_patient_averages WHERE test = 'MCHC' AND "
                    "outside_points > 0"),
            0)
      << "an RBC drift leaves MCHC";
}

// A definition put through the API (a corrected target) is stored and audited, judges the next
// control at once, and is still in force after a restart; a wrong one is refused with its path.
TEST(QcGate, ADefinitionPutThroughTheApiIsAuditedAndInForceAtOnceAndAfterARestart) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("qc-definitions");
  DaemonHarness h(lab(dir));
  const auto put = [&](const std::string& token, const std::string& body) {
    return testing::http_request(h.daemon().http_port(), "POST", "/api/v1/qc/definitions", token,
                                 body);
  };
  const auto refused = put(kAdmin.token, R"({"analyzer": "xn-1", "test": "WBC", "level": "QC-L1",
      "mean": 6.5, "reason": "new insert"})");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("mean given without sd"), std::string::npos) << refused.body;
  EXPECT_EQ(put(kViewer.token, R"({"analyzer": "xn-1", "test": "WBC", "level": "QC-L1",
      "mean": 6.5, "sd": 0.2, "reason": "x"})")
                .status,
            403);
  const auto stored = put(kAdmin.token, R"({"analyzer": "xn-1", "test": "WBC", "level": "QC-L1",
      "mean": 6.50, "sd": 0.20, "reason": "Insert of lot 4412 read wrongly: 6.50, not 6.00"})");
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json()["changed_by"], "user:ada");

  control(h, "xn-1", 6.55, 13.1, "20261207080000");
  EXPECT_EQ(h.query_value("SELECT target_mean::text || ' ' || round(z::numeric, 2)::text FROM "
                          "qc_evaluations WHERE test = 'WBC' ORDER BY id DESC LIMIT 1"),
            "6.5 0.25")
      << "judged against the target put";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'qc_definition' AND actor = "
                    "'user:ada' AND after->>'reason' LIKE 'Insert of lot 4412%'"),
            1);

  h.restart();
  const auto listed = api_get(h, "/api/v1/qc/definitions")["definitions"];
  const auto wbc = std::find_if(listed.begin(), listed.end(), [](const auto& d) {
    return d["analyzer"] == "xn-1" && d["test"] == "WBC";
  });
  ASSERT_NE(wbc, listed.end()) << listed.dump();
  EXPECT_EQ((*wbc)["source"], "api");
  EXPECT_DOUBLE_EQ((*wbc)["mean"].get<double>(), 6.5);
  control(h, "xn-1", 6.60, 13.1, "20261207090000");
  EXPECT_EQ(h.query_value("SELECT target_mean::text FROM qc_evaluations WHERE test = 'WBC' "
                          "ORDER BY id DESC LIMIT 1"),
            "6.5")
      << "still in force after the restart (the file says 6.00)";

  // A control put with no target and no count establishes from qc.establish_runs, as the
  // file's do: stored so, not as a number fixed when it was put.
  const auto new_lot = put(kAdmin.token, R"({"analyzer": "xn-2", "test": "WBC", "level": "QC-L1",
      "lot": "4413", "reason": "New lot, no insert yet"})");
  ASSERT_EQ(new_lot.status, 200) << new_lot.body;
  EXPECT_TRUE(new_lot.json()["establish"].is_null()) << new_lot.body;
  EXPECT_EQ(h.query_value("SELECT coalesce(establish_runs::text, 'null') FROM qc_definitions "
                          "WHERE lot = '4413'"),
            "null");
}

}  // namespace
}  // namespace hemalink::qc
