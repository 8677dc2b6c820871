// The WebSocket of live events on a running daemon: what a message, a review action, a delivery
// and a connection publish; tokens in the header or the query; a client that falls behind.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "server/api/api_tokens.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lis_sim_runner.hpp"
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
                     {"tom", config::ApiRole::Technologist, technologist.sha256}};
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
  const auto delivered = events.next_of("delivered", kLimit);
  ASSERT_TRUE(delivered);
  EXPECT_EQ((*delivered)["destination"], "lis");
  EXPECT_EQ((*delivered)["specimen_id"], "S-1");
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
