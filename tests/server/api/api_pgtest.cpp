// The HTTP API of a running daemon end to end: real HTTP on 127.0.0.1, the private PostgreSQL
// behind the rooms' real implementations, lis-sim as the LIS. Readiness and the analyzers; review
// actions with their audit rows, the 409 on a second action and a release reaching the LIS;
// pagination while results arrive; /metrics read by the Prometheus project's own parser; what the
// Beast server refuses before any route; the outbox and a resend; rules tested and reloaded. What
// each route answers (statuses, parameters, JSON) is tested with fakes in *_routes_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "server/api/api_tokens.hpp"
#include "server/simulate/simulated_analyzer.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/xn_message.hpp"

namespace hemalink::api {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::http_request;
using testing::HttpReply;

struct Tokens {
  NewToken viewer = make_token();
  NewToken technologist = make_token();
  NewToken admin = make_token();

  std::vector<config::ApiToken> configured() const {
    return {{"vera", config::ApiRole::Viewer, viewer.sha256},
            {"tom", config::ApiRole::Technologist, technologist.sha256},
            {"ada", config::ApiRole::Admin, admin.sha256}};
  }
};

lis::LisDestination lis_at(std::uint16_t port) {
  lis::LisDestination d;
  d.name = "lis";
  d.protocol = WireProtocol::Hl7;
  d.transport = config::TcpClientTransport{"127.0.0.1", port, 100ms, 400ms, std::nullopt};
  d.ack_timeout = 1000ms;
  d.backoff_min = 100ms;
  d.backoff_max = 400ms;
  return d;
}

// No rules: every result is held for review (system:no-rules), which is what these tests act on.
daemon::DaemonConfig lab(const Tokens& tokens, std::uint16_t lis_port) {
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.lis.push_back(lis_at(lis_port));
  c.http.listen = "127.0.0.1:0";
  c.http.tokens = tokens.configured();
  c.http.request_timeout = 1500ms;
  c.http.max_body_bytes = 8192;
  c.http.max_header_bytes = 4096;
  c.http.max_target_bytes = 1024;
  return c;
}

// A Sysmex XN CBC (ASTM records) of `specimen` for patient P-77, with a flagged HGB.
std::string cbc(const std::string& specimen, double hgb) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||P-77|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC\\^^^^HGB|||||||N||||||||||||||F\r"
      "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
      "R|2|^^^^HGB^1|{:.1f}|g/dL||L||F||||20261122101500\r"
      "L|1|N\r",
      specimen, hgb);
}

void send_cbc(testing::DaemonHarness& h, const std::string& specimen, double hgb) {
  testing::AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send_e1381(cbc(specimen, hgb), 20s));
}

long long result_id(testing::DaemonHarness& h, const std::string& specimen,
                    const std::string& code) {
  return h.count(fmt::format(
      "SELECT r.id FROM results r WHERE r.specimen_id = '{}' AND r.code = '{}'", specimen, code));
}

struct Api {
  std::uint16_t port;
  HttpReply get(const std::string& target, const std::string& token) const {
    return http_request(port, "GET", target, token);
  }
  HttpReply post(const std::string& target, const std::string& token,
                 const std::string& body) const {
    return http_request(port, "POST", target, token, body);
  }
};

// A lab with its LIS and the API's three users.
struct ApiLab {
  Tokens t;
  testing::LisSimRunner lis{testing::lis_sim_options()};
  testing::DaemonHarness h{lab(t, lis.port())};
  Api api{h.daemon().http_port()};
};

TEST(Api, HealthReadinessAndTheAnalyzersAreReported) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  EXPECT_EQ(api.get("/healthz", "").status, 200);
  ASSERT_TRUE(testing::wait_until([&] { return api.get("/readyz", "").status == 200; }, 20s))
      << api.get("/readyz", "").body;

  send_cbc(h, "S-1", 11.2);
  testing::AnalyzerSocket open_link(h.port("xn-1"));
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto a = api.get("/api/v1/analyzers", t.viewer.token).json()["analyzers"][0];
        return a["connected"].get<bool>();
      },
      10s));
  const auto a = api.get("/api/v1/analyzers", t.viewer.token).json()["analyzers"][0];
  EXPECT_EQ(a["name"], "xn-1");
  EXPECT_EQ(a["driver"], "sysmex-xn");
  EXPECT_EQ(a["protocol"], "astm");
  EXPECT_EQ(a["peers"].size(), 1u);
  EXPECT_EQ(a["messages_since_start"]["stored"], 1);
  EXPECT_EQ(a["results_since_start"]["hold"], 2);
  EXPECT_FALSE(a["last_message_at"].is_null());
  EXPECT_EQ(a["model"], "XN-550") << "as the analyzer reported itself (H-5)";
}

TEST(Api, AReviewActionIsAppliedOnceAuditedAndAReleaseReachesTheLis) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-1", 11.2);
  send_cbc(h, "S-2", 9.4);

  const auto queue = api.get("/api/v1/review", t.viewer.token);
  ASSERT_EQ(queue.status, 200) << queue.body;
  const auto specimens = queue.json()["specimens"];
  ASSERT_EQ(specimens.size(), 2u);
  EXPECT_EQ(specimens[0]["specimen_id"], "S-1") << "oldest first";
  const auto s2 = specimens[1];
  EXPECT_EQ(s2["patient_id"], "P-77");
  ASSERT_EQ(s2["results"].size(), 2u);
  const auto hgb = s2["results"][1];
  EXPECT_EQ(hgb["code"], "HGB");
  EXPECT_EQ(hgb["abnormal_flag"], "L");
  EXPECT_EQ(hgb["decided_by"], "system:no-rules");
  EXPECT_EQ(hgb["reason"], "no rule set is loaded: held for review");
  EXPECT_TRUE(s2["patient_age_years"].is_null()) << "a birth date and no order: no age at receipt";
  EXPECT_EQ(hgb["reference_range"], "");
  EXPECT_TRUE(hgb["reference_source"].is_null()) << "no range sent and no rule set in force";
  ASSERT_EQ(hgb["previous"].size(), 1u) << "the patient's earlier HGB";
  EXPECT_EQ(hgb["previous"][0]["value"], "11.2");
  EXPECT_EQ(hgb["previous"][0]["specimen_id"], "S-1");

  const auto id = hgb["result_id"].get<long long>();
  const auto target = fmt::format("/api/v1/review/{}/release", id);
  const auto released = api.post(target, t.technologist.token,
                                 R"({"comment": "repeat confirms", "corrected_value": "9.5"})");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_EQ(released.json()["decision"], "release");
  EXPECT_EQ(released.json()["decided_by"], "user:tom");
  EXPECT_EQ(released.json()["value"], "9.5");
  EXPECT_EQ(released.json()["queued"].size(), 1u) << "its outbox row, in the same transaction";

  const auto again = api.post(fmt::format("/api/v1/review/{}/reject", id), t.technologist.token,
                              R"({"comment": "changed my mind"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.json()["error"]["message"].get<std::string>().find("release by user:tom"),
            std::string::npos);

  const auto audit = api.get("/api/v1/audit?entity=result", t.viewer.token).json()["entries"];
  ASSERT_EQ(audit.size(), 1u) << "the refused second action left no row";
  EXPECT_EQ(audit[0]["actor"], "user:tom");
  EXPECT_EQ(audit[0]["action"], "release");
  EXPECT_EQ(audit[0]["entity_id"], std::to_string(id));
  EXPECT_EQ(audit[0]["before"]["decision"], "hold");
  EXPECT_EQ(audit[0]["before"]["value"], "9.4");
  EXPECT_EQ(audit[0]["after"]["value"], "9.5");
  EXPECT_EQ(audit[0]["after"]["reason"], "repeat confirms");

  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().messages().size() == 1; }, 30s));
  const auto m = lis.ledger().messages()[0];
  EXPECT_EQ(m.specimen_id, "S-2");
  ASSERT_EQ(m.codes.size(), 1u) << "only the released result goes";
  EXPECT_EQ(m.values[0], "9.5");
  const auto spec = api.get("/api/v1/specimens/S-2", t.viewer.token).json();
  const auto delivered = spec["transmissions"][0]["results"][1];
  EXPECT_EQ(delivered["decisions"][0]["decision"], "release");
  EXPECT_EQ(delivered["decisions"][1]["decision"], "hold");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto s = api.get("/api/v1/specimens/S-2", t.viewer.token).json();
        return s["transmissions"][0]["results"][1]["delivery"][0]["status"] == "sent";
      },
      10s));
  const auto rest = api.get("/api/v1/review", t.viewer.token).json()["specimens"];
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1]["results"].size(), 1u) << "S-2's HGB left the queue";
}

TEST(Api, ResultPagesNeitherRepeatNorSkipWhileResultsArrive) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  for (int i = 0; i < 12; ++i)
    send_cbc(h, fmt::format("P-{}", i), 12.0);
  std::set<long long> before;
  for (const auto& row : h.query_rows("SELECT id FROM results"))
    before.insert(std::stoll(row[0]));

  std::atomic<bool> done{false};
  std::atomic<int> arrived{0};  // the paging may end before all 8 are sent: they stop then
  std::thread arriving([&] {
    for (int i = 0; i < 8 && !done; ++i) {
      send_cbc(h, fmt::format("N-{}", i), 12.0);
      ++arrived;
    }
  });
  std::vector<long long> seen;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    const auto r =
        api.get("/api/v1/results?limit=5" + (cursor.empty() ? std::string() : "&cursor=" + cursor),
                t.viewer.token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    for (const auto& row : body["results"])
      seen.push_back(row["result_id"].get<long long>());
    if (body["next_cursor"].is_null())
      break;
    cursor = body["next_cursor"].get<std::string>();
  }
  done = true;
  arriving.join();
  const std::set<long long> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "no result twice";
  for (auto id : before)
    EXPECT_TRUE(unique.count(id)) << "result " << id << " stored before the first page is missing";
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest first, page after page";
  const auto filtered =
      api.get("/api/v1/results?code=HGB&patient=P-77&decision=hold&analyzer=xn-1&since=2020-01-01",
              t.viewer.token);
  ASSERT_EQ(filtered.status, 200);
  const auto rows = filtered.json()["results"];
  for (const auto& row : rows) {
    EXPECT_EQ(row["code"], "HGB");
    EXPECT_EQ(row["decision"], "hold");
  }
  EXPECT_EQ(filtered.json()["results"].size(), 12u + static_cast<unsigned>(arrived.load()))
      << "every CBC's HGB, those sent before the pages and those that arrived while they were read";
}

std::vector<json> parsed_metrics(const std::string& text, std::string& complaint) {
  testing::TempDir dir("metrics");
  std::ofstream(dir / "metrics.txt") << text;
  const auto command =
      fmt::format("{}/tests/support/parse_prometheus.py < {} > {} 2> {}", HEMALINK_SOURCE_DIR,
                  (dir / "metrics.txt").string(), (dir / "samples.jsonl").string(),
                  (dir / "complaint.txt").string());
  const int status = std::system(command.c_str());
  std::ifstream complaint_file(dir / "complaint.txt");
  std::stringstream c;
  c << complaint_file.rdbuf();
  complaint = c.str();
  std::vector<json> samples;
  if (status != 0)
    return samples;
  std::ifstream in(dir / "samples.jsonl");
  for (std::string line; std::getline(in, line);)
    samples.push_back(json::parse(line));
  return samples;
}

TEST(Api, MetricsAreValidPrometheusTextThatCountsWhatHappened) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-1", 11.2);
  testing::AnalyzerSocket link(h.port("xn-1"));
  ASSERT_TRUE(
      link.send("\x05"
                "\x02"
                "1bad frame\r\x03"
                "00\r\n"));  // a frame with a bad checksum
  HttpReply r;
  std::vector<json> samples;
  std::string complaint;
  auto value = [&](const std::string& name, const json& labels) -> std::optional<double> {
    for (const auto& s : samples) {
      if (s["name"] != name)
        continue;
      bool match = true;
      for (const auto& [k, v] : labels.items())
        match = match && s["labels"].contains(k) && s["labels"][k] == v;
      if (match)
        return s["value"].get<double>();
    }
    return std::nullopt;
  };
  // The NAKed frame is stored as a rejected message; the metrics count it once it is.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        r = http_request(h.daemon().http_port(), "GET", "/metrics");
        samples = parsed_metrics(r.body, complaint);
        return value("hemalink_messages_total", {{"analyzer", "xn-1"}, {"outcome", "rejected"}})
            .has_value();
      },
      10s))
      << complaint << r.body;
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(value("hemalink_messages_total", {{"analyzer", "xn-1"}, {"outcome", "stored"}}), 1);
  EXPECT_EQ(value("hemalink_messages_total", {{"analyzer", "xn-1"}, {"outcome", "rejected"}}), 1);
  EXPECT_EQ(value("hemalink_link_errors_total", {{"analyzer", "xn-1"}}), 1);
  EXPECT_EQ(value("hemalink_results_total", {{"analyzer", "xn-1"}, {"decision", "hold"}}), 2);
  EXPECT_EQ(value("hemalink_analyzer_connections", {{"analyzer", "xn-1"}}), 1);
  // Stage times are of acknowledged messages: the CBC, not the NAKed frame.
  EXPECT_EQ(value("hemalink_message_stage_seconds_count", {{"stage", "total"}}), 1);
  EXPECT_EQ(value("hemalink_message_stage_seconds_count", {{"stage", "commit"}}), 1);
  EXPECT_EQ(value("hemalink_outbox_pending", {{"destination", "lis"}}), 0);
  EXPECT_EQ(value("hemalink_spool_pending_receipts", json::object()), 0);
  EXPECT_TRUE(value("hemalink_lis_send_seconds_count", {{"destination", "lis"}}));
  EXPECT_TRUE(value("hemalink_lis_delivered_total", {{"destination", "lis"}}));

  std::string refused;
  EXPECT_TRUE(parsed_metrics("hemalink_x{a=\"1} 2\n", refused).empty())
      << "the parser refuses what is not exposition format";
  EXPECT_FALSE(refused.empty());
}

TEST(Api, BadInputTheServerCannotReadIsRefusedWithTheFittingStatus) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-1", 11.2);
  const auto tech = t.technologist.token;
  const auto release = fmt::format("/api/v1/review/{}/release", result_id(h, "S-1", "WBC"));
  const auto oversize =
      api.post(release, tech, R"({"comment": ")" + std::string(9000, 'x') + "\"}");
  EXPECT_EQ(oversize.status, 413);
  EXPECT_EQ(oversize.json()["error"]["code"], "payload_too_large");
  const auto bad_escape = api.get("/api/v1/results?code=%ZZ", tech);
  EXPECT_EQ(bad_escape.status, 400);
  EXPECT_NE(bad_escape.body.find("\\\"code\\\""), std::string::npos) << bad_escape.body;
  // A day that does not exist reached PostgreSQL as it was, and its refusal was a 500.
  EXPECT_EQ(api.get("/api/v1/results?until=2026-02-30", tech).status, 400);
  EXPECT_EQ(api.get("/api/v1/results?since=2026-11-28T10:15:07.25%2B01:00", tech).status, 200);

  const auto long_target = api.get("/api/v1/results?code=" + std::string(2000, 'A'), tech);
  EXPECT_EQ(long_target.status, 414);
  bool closed = false;
  const auto big_header = testing::raw_exchange(
      api.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'b') + "\r\n\r\n",
      5s, closed);
  EXPECT_NE(big_header.find("431"), std::string::npos) << big_header;
  const auto garbage = testing::raw_exchange(api.port, "NOT HTTP AT ALL\r\n\r\n", 5s, closed);
  EXPECT_NE(garbage.find("400"), std::string::npos) << garbage;
  EXPECT_TRUE(closed);

  // A slow client: half a request, then nothing. The server closes it after the request timeout
  // (1.5 s here), well within the 10 s this waits.
  const auto started = std::chrono::steady_clock::now();
  const auto slow = testing::raw_exchange(api.port, "GET /healthz HTTP/1.1\r\nHo", 10s, closed);
  EXPECT_TRUE(closed) << "the server closed the slow client";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 9s);
  EXPECT_EQ(api.get("/healthz", "").status, 200) << "and still serves everyone else";
}

TEST(Api, SpecimensMessagesAndTheOutboxAreReadableAndARowCanBeResent) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-1", 11.2);
  const auto id = result_id(h, "S-1", "WBC");
  ASSERT_EQ(api.post(fmt::format("/api/v1/review/{}/release", id), t.technologist.token,
                     R"({"comment": "ok"})")
                .status,
            200);
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return api.get("/api/v1/outbox?status=sent&destination=lis", t.viewer.token)
                   .json()["rows"]
                   .size() == 1;
      },
      30s));
  const auto row = api.get("/api/v1/outbox", t.viewer.token).json()["rows"][0];
  EXPECT_EQ(row["specimen_id"], "S-1");
  EXPECT_EQ(row["result_ids"], json::array({id}));
  const auto outbox_id = row["outbox_id"].get<long long>();
  const auto resend = fmt::format("/api/v1/outbox/{}/resend", outbox_id);
  EXPECT_EQ(api.post(resend, t.admin.token, "").status, 200);
  ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().messages().size() == 2; }, 30s));
  const auto audit = api.get("/api/v1/audit?entity=outbox", t.viewer.token).json()["entries"];
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["actor"], "user:ada");

  const auto spec = api.get("/api/v1/specimens/S-1", t.viewer.token).json();
  ASSERT_EQ(spec["transmissions"].size(), 1u);
  const auto tx = spec["transmissions"][0];
  EXPECT_EQ(tx["analyzer"], "xn-1");
  const auto message =
      api.get("/api/v1/messages/" + tx["message_id"].get<std::string>(), t.admin.token);
  ASSERT_EQ(message.status, 200) << message.body;
  EXPECT_EQ(message.json()["raw"], cbc("S-1", 11.2));
  EXPECT_EQ(message.json()["status"], "accepted");
}

void write_rules(const std::filesystem::path& file, const std::string& version,
                 const std::string& action) {
  std::ofstream(file) << fmt::format(R"({{"version": "{}", "rules": [
      {{"id": "all", "applies_to": ["*"], "when": "not is_qc", "action": "{}",
        "reason": "every result, this test's way"}}]}})",
                                     version, action);
}

TEST(Api, RulesAreTestedAgainstTheSetInForceAndReloadedByAnAdminOnly) {
  HL_REQUIRE_POSTGRES();
  const Tokens t;
  testing::TempDir dir("api-rules");
  write_rules(dir / "rules.json", "release-v1", "release");
  auto c = lab(t, testing::unused_port());
  c.rules.files = {dir / "rules.json"};
  testing::DaemonHarness h(c);
  const Api api{h.daemon().http_port()};
  const std::string cases = R"({"cases": [{"name": "a WBC", "specimen": {"results": [
      {"code": "WBC", "value": "7.2", "units": "10*3/uL"}]}, "expect": {"WBC": "release"}}]})";

  const auto first = api.post("/api/v1/rules/test", t.viewer.token, cases);
  ASSERT_EQ(first.status, 200) << first.body;
  // The version in force is the file's, with a digest of the rules (release-v1#...).
  EXPECT_EQ(first.json()["rule_set_version"].get<std::string>().rfind("release-v1#", 0), 0u);
  EXPECT_EQ(first.json()["passed"], 1);
  EXPECT_EQ(first.json()["cases"][0]["results"][0]["fired"][0]["rule_id"], "all");

  write_rules(dir / "rules.json", "hold-v2", "hold");
  EXPECT_EQ(api.post("/api/v1/rules/reload", t.technologist.token, "").status, 403);
  const auto reloaded = api.post("/api/v1/rules/reload", t.admin.token, "");
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_EQ(reloaded.json()["rule_set_version"], first.json()["rule_set_version"])
      << "the changed files are a draft: the live version stays in force";
  const auto stored = reloaded.json()["stored"];
  const auto v2 = stored["version"].get<std::string>();
  EXPECT_EQ(v2.rfind("hold-v2#", 0), 0u);
  EXPECT_EQ(stored["status"], "draft");

  // The promotion: refused without a backtest, then with one that found false negatives and no
  // comment, accepted with a comment. The backtest row is written here as the backtest writes
  // it: the backtest itself is the validation room's.
  const auto status =
      fmt::format("/api/v1/rules/versions/{}/status", stored["id"].get<long long>());
  const auto refused_bare = api.post(status, t.admin.token, R"({"status": "live"})");
  EXPECT_EQ(refused_bare.status, 422) << refused_bare.body;
  h.execute(
      fmt::format("INSERT INTO rule_backtests (candidate_version, candidate, requested_by, status,"
                  " false_negatives) VALUES ('{}', '[]', 'user:ada', 'done', 2)",
                  v2));
  const auto backtest = h.query_value("SELECT max(id) FROM rule_backtests");
  const auto evidence = fmt::format(R"({{"status": "live", "backtest_id": {}}})", backtest);
  EXPECT_EQ(api.post(status, t.technologist.token, evidence).status, 403);
  const auto unexplained = api.post(status, t.admin.token, evidence);
  EXPECT_EQ(unexplained.status, 422);
  EXPECT_EQ(unexplained.json()["error"]["message"],
            fmt::format("backtest {} found 2 would-be false negatives: an admin's override "
                        "comment is required",
                        backtest));
  const auto promoted =
      api.post(status, t.admin.token,
               fmt::format(R"({{"status": "live", "backtest_id": {}, "comment": "both reviewed"}})",
                           backtest));
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(promoted.json()["in_force"], v2) << "in force at once";
  const auto second = api.post("/api/v1/rules/test", t.viewer.token, cases);
  EXPECT_EQ(second.json()["failed"], 1);
  EXPECT_EQ(second.json()["cases"][0]["mismatches"][0], "WBC: expected release, got hold");
  const auto audit = api.get("/api/v1/audit?entity=rule_set", t.viewer.token).json()["entries"];
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["actor"], "user:ada");
  EXPECT_EQ(audit[0]["after"]["stored"]["version"], v2);
  const auto moves =
      api.get("/api/v1/audit?entity=rule_set_version", t.viewer.token).json()["entries"];
  ASSERT_FALSE(moves.empty());
  EXPECT_EQ(moves[0]["action"], "rule_set_live") << "newest first";
  EXPECT_EQ(moves[0]["actor"], "user:ada");

  std::ofstream(dir / "rules.json") << R"({"version": "broken", "rules": [{"id": "x"}]})";
  const auto refused = api.post("/api/v1/rules/reload", t.admin.token, "");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("rules.json"),
            std::string::npos);
  EXPECT_EQ(api.post("/api/v1/rules/test", t.viewer.token, cases).json()["rule_set_version"], v2)
      << "the running set stays";
  const auto bad_cases = api.post("/api/v1/rules/test", t.viewer.token, R"({"cases": [{}]})");
  EXPECT_EQ(bad_cases.status, 400);
  EXPECT_NE(bad_cases.json()["error"]["message"].get<std::string>().find("cases[0]"),
            std::string::npos);
}

TEST(Api, AStatSpecimenHeadsTheReviewQueue) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-ROUTINE", 11.0);
  testing::AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(
      s.send_e1381("H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
                   "P|1|||P-78|^Doe^John||19600101|M\r"
                   "O|1||^^        S-STAT^B|^^^^WBC|S||||||N||||||||||||||F\r"
                   "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
                   "L|1|N\r",
                   20s));
  ASSERT_TRUE(testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM specimens WHERE specimen_id = 'S-STAT'") == 1; },
      10s));
  const auto queue = api.get("/api/v1/review", t.viewer.token).json()["specimens"];
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0]["specimen_id"], "S-STAT") << "held later, but STAT";
  EXPECT_EQ(queue[0]["priority"], "stat");
  EXPECT_EQ(queue[1]["specimen_id"], "S-ROUTINE");
  EXPECT_EQ(queue[1]["priority"], "");
  EXPECT_EQ(
      api.get("/api/v1/specimens/S-STAT", t.viewer.token).json()["transmissions"][0]["priority"],
      "stat");
}

// Without rules every result is held, the control's too: the queue and its counts still show
// the patient's only, and a review action on the control's result is refused naming the QC page.
TEST(Api, AControlIsNeitherInTheReviewQueueNorCountedAsHeldNorReviewed) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-1", 11.2);
  testing::AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send_e1381(
      testing::xn_message("QC-L1-4411", true, {{"WBC", "3.01"}, {"PLT", "48"}}, "20261122100000"),
      20s));
  const auto queue = api.get("/api/v1/review", t.viewer.token).json()["specimens"];
  ASSERT_EQ(queue.size(), 1u) << queue.dump();
  EXPECT_EQ(queue[0]["specimen_id"], "S-1");
  EXPECT_EQ(queue[0]["kind"], "patient");

  const auto board = api.get("/api/v1/analyzers", t.viewer.token).json()["analyzers"][0];
  EXPECT_EQ(board["results_since_start"]["hold"], 2) << board.dump();
  EXPECT_EQ(board["results_since_start"]["qc"], 2) << board.dump();
  const auto metrics = api.get("/metrics", t.viewer.token).body;
  EXPECT_NE(metrics.find(R"(hemalink_results_total{analyzer="xn-1",decision="hold"} 2)"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(hemalink_results_total{analyzer="xn-1",decision="qc"} 2)"),
            std::string::npos);

  const auto control_wbc = result_id(h, "QC-L1-4411", "WBC");
  for (const char* action : {"release", "rerun", "reject"}) {
    const auto refused = api.post(fmt::format("/api/v1/review/{}/{}", control_wbc, action),
                                  t.technologist.token, R"({"comment": "looks fine"})");
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_NE(refused.body.find("control specimen QC-L1-4411, not a patient's"), std::string::npos)
        << refused.body;
    EXPECT_NE(refused.body.find("QC page"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(h.count(fmt::format("SELECT count(*) FROM decisions WHERE result_id = {} AND "
                                "is_current AND decision = 'hold'",
                                control_wbc)),
            1)
      << "the control's stored decision stays";
  EXPECT_EQ(h.count("SELECT count(*) FROM audit_log WHERE entity = 'result'"), 0);
}

// An HL7 CBC's instrument flags (an XN's IP messages sent over HL7; Mindray BC's T/F flags) are
// in the review queue's specimen_flags of the held specimen, as the same XN's over ASTM are.
TEST(Api, AnHl7CbcsFlagsAreInTheReviewQueueAsAnXnsOverAstmAre) {
  HL_REQUIRE_POSTGRES();
  Tokens t;
  testing::LisSimRunner lis{testing::lis_sim_options()};
  auto c = lab(t, lis.port());
  c.analyzers.push_back(testing::tcp_analyzer("bc-1", "generic-hl7", WireProtocol::Hl7));
  c.analyzers.back().base = "loinc-cbc";
  testing::DaemonHarness h(c);
  Api api{h.daemon().http_port()};

  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Hl7;
  plan.targets = {{"127.0.0.1", h.port("bc-1")}};
  plan.messages = {testing::read_file(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                      "tests/fixtures/hl7/xn-oru-r01-ip-messages.hl7")};
  const auto mindray = testing::corpus_dir();
  if (mindray) {
    plan.messages.push_back(
        simulate::with_cr_records(testing::read_file(*mindray / "hl7/mindray-bc5380-cbc-01.hl7")));
  }
  plan.timeout = 30s;
  const auto report = simulate::run_simulation(plan);
  for (const auto& r : report.results) {
    ASSERT_EQ(r.answer, simulate::Answer::Acknowledged) << r.detail;
  }
  testing::AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(
      s.send_e1381("H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
                   "P|1|||P-78|^Doe^John||19610214|M\r"
                   "O|1||^^        XN-A-101^B|^^^^WBC\\^^^^PLT|||||||N||||||||||||||F\r"
                   "R|1|^^^^WBC^1|31.42|10*3/uL||H||F||||20260312094400\r"
                   "R|2|^^^^PLT^1|58|10*3/uL||L||F||||20260312094400\r"
                   "R|3|^^^^Blasts?|190|||A||F||||20260312094400\r"
                   "R|4|^^^^Left_Shift?|0|||||F||||20260312094400\r"
                   "R|5|^^^^Leukocytosis||||A||F||||20260312094400\r"
                   "L|1|N\r",
                   20s));

  const auto queue = api.get("/api/v1/review", t.viewer.token).json()["specimens"];
  std::map<std::string, json> flags;
  for (const auto& specimen : queue) {
    flags[specimen["specimen_id"]] = specimen["specimen_flags"];
  }
  ASSERT_EQ(flags.size(), mindray ? 4u : 3u) << queue.dump();
  const auto xn =
      json::array({json{{"name", "Blasts?"}, {"score", 190.0}, {"positive", true}},
                   json{{"name", "Left_Shift?"}, {"score", 0.0}, {"positive", false}},
                   json{{"name", "Leukocytosis"}, {"score", nullptr}, {"positive", true}}});
  EXPECT_EQ(flags["XN-A-101"], xn) << "the XN over ASTM";
  EXPECT_EQ(flags["XN-S-101"], xn) << "the XN over HL7";
  EXPECT_EQ(flags["XN-S-102"],
            json::array({json{{"name", "Blasts?"}, {"score", 30.0}, {"positive", false}}}));
  if (mindray) {
    EXPECT_EQ(flags["20071207011"],
              json::array({json{{"name", "Anemia"}, {"score", nullptr}, {"positive", true}},
                           json{{"name", "Hypochromia"}, {"score", nullptr}, {"positive", true}}}))
        << "Mindray BC-5380: 12014^Anemia^99MRC and 15180-3^Hypochromia^LN valued T";
  }
}

TEST(Api, ThePageIsServedWithHeadersThatKeepPatientDataInIt) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  const auto page = api.get("/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  const auto& csp = page.headers.at("content-security-policy");
  for (const auto* directive : {"default-src 'none'", "script-src 'self'", "style-src 'self'",
                                "connect-src 'self'", "frame-ancestors 'none'"})
    EXPECT_NE(csp.find(directive), std::string::npos) << directive << " in " << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(page.headers.at("x-frame-options"), "DENY");
  EXPECT_EQ(page.headers.at("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.headers.at("cache-control"), "no-store");
  EXPECT_FALSE(std::regex_search(page.body, std::regex(R"(<script(?![^>]*\bsrc=))")))
      << "no inline script: the policy would refuse it";
  EXPECT_FALSE(std::regex_search(page.body, std::regex(R"(\sstyle=)"))) << "no inline style";
  const auto script = api.get("/ui/app.js", "");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.at("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body.find("innerHTML"), std::string::npos) << "the page builds text, not HTML";
  EXPECT_EQ(api.get("/ui/../server.key", "").status, 404);
  EXPECT_EQ(api.get("/ui/none.js", "").status, 404);
  const auto specimen = api.get("/api/v1/specimens/none", t.viewer.token);
  EXPECT_EQ(specimen.headers.at("cache-control"), "no-store") << "no patient page is cached";
}

TEST(Api, AnalyzersTodayAndRuleFiringsAnswerThePage) {
  HL_REQUIRE_POSTGRES();
  ApiLab lab_;
  auto& [t, lis, h, api] = lab_;
  send_cbc(h, "S-ME", 11.0);
  const auto today = api.get("/api/v1/analyzers?since=2000-01-01", t.viewer.token);
  ASSERT_EQ(today.status, 200) << today.body;
  EXPECT_EQ(today.json()["analyzers"][0]["messages_since"], (json{{"accepted", 1}}));
  const auto future = api.get("/api/v1/analyzers?since=2999-01-01", t.viewer.token);
  EXPECT_EQ(future.json()["analyzers"][0]["messages_since"], json::object());
  EXPECT_FALSE(api.get("/api/v1/analyzers", t.viewer.token)
                   .json()["analyzers"][0]
                   .contains("messages_since"));
  // No rules here: every result is held by the daemon itself, and no rule fired.
  EXPECT_EQ(api.get("/api/v1/rules/firings", t.viewer.token).json(), json::array());
  EXPECT_EQ(api.get("/api/v1/rules/firings?since=yesterday", t.viewer.token).status, 400);
}

}  // namespace
}  // namespace hemalink::api
