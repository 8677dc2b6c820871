// The WebSocket of live events on a running daemon: what a message, a review action, a delivery
// and a connection publish; tokens in the header or the query; a client that falls behind; what a
// page says it has open, told to its colleagues (and what a viewer or a bad message says, not).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "server/api/api_tokens.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::api {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::EventSocket;

constexpr auto kLimit = 20s;

struct EventsLab {
  NewToken viewer = make_token();
  NewToken technologist = make_token();
  NewToken anna = make_token();
  testing::LisSimRunner lis{testing::lis_sim_options()};
  testing::DaemonHarness h{config()};

  daemon::DaemonConfig config() {
    daemon::DaemonConfig c;
    c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
    lis::LisDestination d;
    d.name = "lis";
    d.transport = config::TcpClientTransport{"127.0.0.1", lis.port(), 100ms, 400ms, std::nullopt};
    c.lis.push_back(d);
    c.http.tokens = {{"vera", config::ApiRole::Viewer, viewer.sha256},
                     {"tom", config::ApiRole::Technologist, technologist.sha256},
                     {"anna", config::ApiRole::Technologist, anna.sha256}};
    c.http.max_queued_events = 8;
    return c;
  }
  std::uint16_t port() { return h.daemon().http_port(); }
};

std::string cbc(const std::string& specimen) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||P-77|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC|||||||N||||||||||||||F\r"
      "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
      "L|1|N\r",
      specimen);
}

TEST(Events, AMessageAReviewAndADeliveryAreEachPublished) {
  HL_REQUIRE_POSTGRES();
  EventsLab lab;
  EventSocket events(lab.port(), "/api/v1/events", lab.viewer.token);
  ASSERT_EQ(events.status(), 101);
  {
    testing::AnalyzerSocket analyzer(lab.h.port("xn-1"));
    ASSERT_TRUE(analyzer.send_e1381(cbc("S-1"), 20s));
  }
  // A message's own events come in order; its connection's end may come before or after them
  // (the store and the connection are different threads).
  std::map<std::string, nlohmann::json> seen;
  const std::set<std::string> expected = {"analyzer_connected", "message", "decision", "held",
                                          "analyzer_disconnected"};
  while (seen.size() < expected.size()) {
    const auto event = events.next(kLimit);
    ASSERT_TRUE(event) << "seen so far: " << ::testing::PrintToString(seen);
    if (expected.count((*event)["type"]))
      seen.emplace((*event)["type"], *event);
  }
  EXPECT_EQ(seen["analyzer_connected"]["analyzer"], "xn-1");
  EXPECT_EQ(seen["message"]["outcome"], "stored");
  EXPECT_EQ(seen["message"]["specimens"], nlohmann::json::array({"S-1"}));
  EXPECT_EQ(seen["decision"]["held"], 1) << "no rules: held";
  EXPECT_LT(seen["analyzer_connected"]["seq"], seen["message"]["seq"]);
  EXPECT_LT(seen["message"]["seq"], seen["decision"]["seq"]);
  EXPECT_LT(seen["decision"]["seq"], seen["held"]["seq"]);

  const auto id = lab.h.count("SELECT id FROM results");
  const auto released =
      testing::http_request(lab.port(), "POST", fmt::format("/api/v1/review/{}/release", id),
                            lab.technologist.token, R"({"comment": "fine"})");
  ASSERT_EQ(released.status, 200) << released.body;
  const auto release = events.next_of("released", kLimit);
  ASSERT_TRUE(release);
  EXPECT_EQ((*release)["result_id"], id);
  EXPECT_EQ((*release)["decided_by"], "user:tom");
  EXPECT_EQ((*release)["specimen_row_id"], lab.h.count("SELECT id FROM specimens"));
  EXPECT_EQ((*release)["code"], "WBC");
  EXPECT_EQ((*release)["reason"], "fine");
  EXPECT_EQ((*release)["decided_at"], nlohmann::json::parse(released.body)["decided_at"]);
  const auto delivered = events.next_of("delivered", kLimit);
  ASSERT_TRUE(delivered);
  EXPECT_EQ((*delivered)["destination"], "lis");
  EXPECT_EQ((*delivered)["specimen_id"], "S-1");
}

// Each socket is told first who has what open, and its own session.
nlohmann::json snapshot_of(EventSocket& socket) {
  auto first = socket.next(kLimit);
  EXPECT_TRUE(first && (*first)["type"] == "presence_snapshot");
  return first ? *first : nlohmann::json();
}

TEST(Events, ASpecimenOneTechnologistHasOpenIsShownToTheOtherUntilHerPageCloses) {
  HL_REQUIRE_POSTGRES();
  EventsLab lab;
  EventSocket tom(lab.port(), "/api/v1/events", lab.technologist.token);
  EventSocket anna(lab.port(), "/api/v1/events", lab.anna.token, true);
  ASSERT_EQ(tom.status(), 101);
  ASSERT_EQ(anna.status(), 101);
  const auto tom_first = snapshot_of(tom);
  const auto anna_first = snapshot_of(anna);
  EXPECT_EQ(anna_first["present"], nlohmann::json::array());
  EXPECT_NE(tom_first["session"], anna_first["session"]);

  ASSERT_TRUE(anna.send(R"({"type": "presence", "specimen_row_id": 42})"));
  const auto seen = tom.next_of("presence", kLimit);
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["user"], "anna");
  EXPECT_EQ((*seen)["session"], anna_first["session"]);
  EXPECT_EQ((*seen)["specimen_row_id"], 42);

  EventSocket later(lab.port(), "/api/v1/events", lab.viewer.token);
  const auto told = snapshot_of(later);
  ASSERT_EQ(told["present"].size(), 1U) << told.dump();
  EXPECT_EQ(told["present"][0]["user"], "anna");
  EXPECT_EQ(told["present"][0]["specimen_row_id"], 42);

  anna.close();
  const auto cleared = tom.next_of("presence", kLimit);
  ASSERT_TRUE(cleared);
  EXPECT_EQ((*cleared)["session"], anna_first["session"]);
  EXPECT_TRUE((*cleared)["specimen_row_id"].is_null()) << "her page closed: nothing open";
}

TEST(Events, AViewersClaimAndABadMessageAreIgnoredWithALogLine) {
  HL_REQUIRE_POSTGRES();
  testing::LogCapture log;
  EventsLab lab;
  EventSocket vera(lab.port(), "/api/v1/events", lab.viewer.token);
  EventSocket tom(lab.port(), "/api/v1/events", lab.technologist.token);
  snapshot_of(vera);
  snapshot_of(tom);
  ASSERT_TRUE(vera.send(R"({"type": "presence", "specimen_row_id": 7})"));
  ASSERT_TRUE(tom.send(R"({"type": "presence", "specimen_row_id": "7"})"));
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto text = log.text();
        return text.find("vera session") != std::string::npos &&
               text.find("tom session") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << log.text();
  EXPECT_NE(log.text().find("a viewer does not claim presence"), std::string::npos);
  EXPECT_NE(log.text().find("specimen_row_id: expected a specimen's row ID or null, got \"7\""),
            std::string::npos);
  EventSocket later(lab.port(), "/api/v1/events", lab.technologist.token);
  EXPECT_EQ(snapshot_of(later)["present"], nlohmann::json::array()) << "neither was taken";
  ASSERT_TRUE(tom.send(R"({"type": "presence", "specimen_row_id": 8})"));
  const auto next = vera.next_of("presence", kLimit);
  ASSERT_TRUE(next) << "the sockets that sent them are served as before";
  EXPECT_EQ((*next)["user"], "tom");
  EXPECT_EQ((*next)["specimen_row_id"], 8);
}

TEST(Events, ATokenInTheQueryServesBrowsersAndResumingSkipsNothing) {
  HL_REQUIRE_POSTGRES();
  EventsLab lab;
  auto& hub = lab.h.daemon().events();
  const auto first = hub.publish("message", {{"n", 1}});
  hub.publish("message", {{"n", 2}});
  EventSocket resumed(lab.port(), fmt::format("/api/v1/events?since={}", first), lab.viewer.token,
                      true);
  ASSERT_EQ(resumed.status(), 101);
  snapshot_of(resumed);
  const auto next = resumed.next(kLimit);
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["n"], 2);
  EXPECT_EQ((*next)["seq"], first + 1);
}

TEST(Events, NoTokenOrAPlainRequestIsRefused) {
  HL_REQUIRE_POSTGRES();
  EventsLab lab;
  EXPECT_EQ(EventSocket(lab.port(), "/api/v1/events", "").status(), 401);
  EXPECT_EQ(EventSocket(lab.port(), "/api/v1/events", "hl_forged").status(), 401);
  EXPECT_EQ(EventSocket(lab.port(), "/api/v1/events?since=x", lab.viewer.token).status(), 400);
  EXPECT_EQ(EventSocket(lab.port(), "/api/v1/review", lab.viewer.token).status(), 404);
  EXPECT_EQ(testing::http_request(lab.port(), "GET", "/api/v1/events", lab.viewer.token).status,
            426);
}

TEST(Events, AClientThatDoesNotReadIsToldItFellBehindAndDropped) {
  HL_REQUIRE_POSTGRES();
  EventsLab lab;
  // A small receive buffer, and nothing read while events pour in: the server's writes stall,
  // its queue for this client (8 here) fills, and the client is dropped instead of held.
  EventSocket slow(lab.port(), "/api/v1/events", lab.viewer.token, false, 4096);
  ASSERT_EQ(slow.status(), 101);
  auto& hub = lab.h.daemon().events();
  const std::string padding(2000, 'x');
  for (int i = 0; i < 5000; ++i)
    hub.publish("message", {{"n", i}, {"padding", padding}});
  std::optional<nlohmann::json> last;
  int received = 0;
  while (auto event = slow.next(5s)) {
    last = event;
    ++received;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["type"], "dropped") << "after " << received << " events";
  EXPECT_LT(received, 5000);
  EXPECT_TRUE(slow.is_closed());
  EventSocket fresh(lab.port(), "/api/v1/events", lab.viewer.token);
  EXPECT_EQ(fresh.status(), 101) << "the others are served as before";
}

}  // namespace
}  // namespace hemalink::api
