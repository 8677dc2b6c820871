// hemalink serve against real sockets on 127.0.0.1 and the private PostgreSQL: link errors,
// timers, abuse, every transport, and reload.
#include "server/daemon/daemon.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "protocols/astm/e1381_link.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::daemon {
namespace {

using config::AstmLink;
using model::WireProtocol;
using namespace std::chrono_literals;
using testing::AnalyzerSocket;
using testing::DaemonHarness;

constexpr char kEnq = 0x05;
constexpr char kAck = 0x06;
constexpr char kNak = 0x15;

simulate::SimulationPlan plan_for(WireProtocol protocol, std::uint16_t port,
                                  std::vector<std::string> messages) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = protocol;
  plan.targets = {{"127.0.0.1", port}};
  plan.messages = std::move(messages);
  plan.timeout = 60s;
  return plan;
}

std::size_t count_answers(const simulate::SimulationReport& report, simulate::Answer answer) {
  return static_cast<std::size_t>(std::count_if(report.results.begin(), report.results.end(),
                                                [&](const auto& r) { return r.answer == answer; }));
}

daemon::DaemonConfig one_analyzer(config::AnalyzerConfig a) {
  daemon::DaemonConfig c;
  c.analyzers.push_back(std::move(a));
  return c;
}

const std::string kCbcRecords =
    "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
    "P|1|||PAT1|^Doe^Jane||19800101|F\r"
    "O|1||^^        SPEC-1^B|^^^^WBC|||||||N||||||||||||||F\r"
    "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
    "L|1|N\r";

TEST(Daemon, CorruptedFramesAreNakedAndSentAgainAndEveryMessageIsStoredOnce) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(one_analyzer(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  auto plan = plan_for(WireProtocol::Astm, h.port("xn-1"),
                       simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, 20, 3));
  plan.analyzer.corrupt_every = 3;
  const auto report = simulate::run_simulation(plan);
  EXPECT_EQ(count_answers(report, simulate::Answer::Acknowledged), 20u);
  EXPECT_GT(report.counts.corrupted, 0u);
  EXPECT_EQ(report.counts.frames_sent_again, report.counts.corrupted);
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE status = 'accepted'"), 20);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 20 * 30);
  // Each corrupted frame was NAKed and kept, raw, as a rejected message.
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE status = 'rejected' AND "
                    "reject_reason LIKE '%checksum%'"),
            static_cast<long long>(report.counts.corrupted));
  EXPECT_EQ(h.messages_of("xn-1"), 20 + static_cast<long long>(report.counts.corrupted));
}

TEST(Daemon, AFrameWithABadChecksumIsNakedOnTheWire) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(one_analyzer(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send(std::string(1, kEnq)));
  ASSERT_EQ(s.read_byte(5s), kAck);
  std::string frame;
  astm::encode_frame(1, kCbcRecords, true, frame);
  std::string damaged = frame;
  damaged[damaged.size() - 3] ^= 1;
  ASSERT_TRUE(s.send(damaged));
  EXPECT_EQ(s.read_byte(5s), kNak);
  ASSERT_TRUE(s.send(frame));
  EXPECT_EQ(s.read_byte(10s), kAck) << "the final ACK comes once the message is stored";
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE status = 'accepted'"), 1);
  // The damaged frame is kept too: its number, text and ETX, as rejected, with the reason.
  ASSERT_TRUE(testing::wait_until([&] { return h.messages_of("xn-1") == 2; }, 10s));
  EXPECT_EQ(h.query_value("SELECT convert_from(raw, 'LATIN1') FROM messages "
                          "WHERE status = 'rejected'"),
            damaged.substr(1, damaged.size() - 5));
  EXPECT_NE(h.query_value("SELECT reject_reason FROM messages WHERE status = 'rejected'")
                .find("checksum mismatch"),
            std::string::npos);
}

TEST(Daemon, ASilentAnalyzerMidMessageHasItStoredIncompleteAfterTheReceiveTimeout) {
  HL_REQUIRE_POSTGRES();
  auto a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  a.link_timeouts.receive = 300ms;
  DaemonHarness h(one_analyzer(a));
  AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send(std::string(1, kEnq)));
  ASSERT_EQ(s.read_byte(5s), kAck);
  std::string frame;
  astm::encode_frame(1, kCbcRecords.substr(0, kCbcRecords.find("R|")), false, frame);
  ASSERT_TRUE(s.send(frame));
  ASSERT_EQ(s.read_byte(5s), kAck);
  ASSERT_TRUE(testing::wait_until([&] { return h.messages_of("xn-1") == 1; }, 20s));
  EXPECT_EQ(h.query_value("SELECT status FROM messages"), "incomplete");
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions WHERE decision = 'release'"), 0);
}

TEST(Daemon, AnAnalyzerThatDisconnectsMidMessageHasNothingStoredAndNothingAcknowledged) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(one_analyzer(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  {
    AnalyzerSocket s(h.port("xn-1"));
    ASSERT_TRUE(s.send(std::string(1, kEnq)));
    ASSERT_EQ(s.read_byte(5s), kAck);
    std::string first;
    astm::encode_frame(1, kCbcRecords.substr(0, kCbcRecords.find("L|")), false, first);
    ASSERT_TRUE(s.send(first));
    ASSERT_EQ(s.read_byte(5s), kAck);
  }  // closed before the final frame
  ASSERT_TRUE(testing::wait_until([&] { return h.daemon().connection_count() == 0; }, 10s));
  AnalyzerSocket next(h.port("xn-1"));
  ASSERT_TRUE(next.send_e1381(kCbcRecords, 10s));
  EXPECT_EQ(h.messages_of("xn-1"), 1) << "only the complete message";
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), 1);
}

TEST(Daemon, OnContentionTheAnalyzerKeepsItsTurn) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(one_analyzer(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  AnalyzerSocket s(h.port("xn-1"));
  // A host query: once it is stored, the host bids to send its reply.
  ASSERT_TRUE(s.send_e1381("H|\\^&|||XN-550\rQ|1|^SPEC-9||ALL\rL|1|N\r", 10s));
  ASSERT_EQ(s.read_byte(10s), kEnq) << "the host bids to send";
  ASSERT_TRUE(s.send(std::string(1, kEnq)));  // so do we: contention
  ASSERT_TRUE(s.send_e1381(kCbcRecords, 10s)) << "our next ENQ is answered and the message taken";
  EXPECT_EQ(h.messages_of("xn-1"), 2);
  // The host said nothing to the contending ENQ: had it answered, that answer would still be
  // ahead of these in the stream. The next bytes answer our next bid exactly: an ACK to the
  // ENQ, a NAK to a frame whose checksum is wrong.
  ASSERT_TRUE(s.send(std::string(1, kEnq)));
  EXPECT_EQ(s.read_byte(10s), kAck);
  std::string bad;
  astm::encode_frame(1, "H|\\^&\r", true, bad);
  bad[bad.size() - 4] = bad[bad.size() - 4] == '0' ? '1' : '0';  // a checksum digit
  ASSERT_TRUE(s.send(bad));
  EXPECT_EQ(s.read_byte(10s), kNak);
}

// With no order for the specimen (tests/server/orders has the queries that find orders).
TEST(Daemon, AHostQueryIsAnsweredNoInformationAndTheReplyIsKept) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(
      one_analyzer(testing::tcp_analyzer("astm-1", "generic-astm", WireProtocol::Astm)));
  auto plan = plan_for(WireProtocol::Astm, h.port("astm-1"),
                       {"H|\\^&|||ANALYZER\rQ|1|^SPEC-9||ALL\rL|1|N\r"});
  plan.hold = 1s;  // the reply comes after the query's final ACK
  const auto report = simulate::run_simulation(plan);
  EXPECT_EQ(count_answers(report, simulate::Answer::Acknowledged), 1u);
  EXPECT_EQ(report.counts.host_messages, 1u);
  EXPECT_EQ(h.count("SELECT count(*) FROM messages WHERE direction = 'out' AND "
                    "convert_from(raw, 'UTF8') LIKE '%L|1|I%'"),
            1);
}

TEST(Daemon, TwoHundredConcurrentConnectionsAreAllServed) {
  HL_REQUIRE_POSTGRES();
  auto a = testing::tcp_analyzer("hl7-1", "generic-hl7", WireProtocol::Hl7);
  a.max_connections = 200;
  DaemonHarness h(one_analyzer(a));
  auto plan = plan_for(WireProtocol::Hl7, h.port("hl7-1"),
                       simulate::generate(simulate::Panel::Coag, WireProtocol::Hl7, 400, 7));
  plan.connections = 200;
  const auto report = simulate::run_simulation(plan);
  EXPECT_EQ(report.connected, 200u);
  EXPECT_EQ(count_answers(report, simulate::Answer::Acknowledged), 400u);
  EXPECT_EQ(h.messages_of("hl7-1"), 400);
}

TEST(Daemon, AbuseOnOneAnalyzerLeavesTheOthersAlone) {
  HL_REQUIRE_POSTGRES();
  auto target = testing::tcp_analyzer("hl7-1", "generic-hl7", WireProtocol::Hl7);
  target.max_message_bytes = 64 * 1024;
  target.idle_timeout = 1s;
  target.max_connections = 40;
  auto good = testing::tcp_analyzer("hl7-2", "generic-hl7", WireProtocol::Hl7);
  daemon::DaemonConfig c;
  c.analyzers = {target, good};
  DaemonHarness h(c);
  const auto port = h.port("hl7-1");

  AnalyzerSocket silent(port);                         // says nothing: closed at the idle timeout
  AnalyzerSocket oversize(port);                       // one frame past max_message_bytes
  AnalyzerSocket junk(port);                           // bytes outside any frame
  std::vector<std::unique_ptr<AnalyzerSocket>> flood;  // up to and past the connection cap
  for (int i = 0; i < 45; ++i)
    flood.push_back(std::make_unique<AnalyzerSocket>(port));
  std::string big = "\x0bMSH|^~\\&|X|Y|Z|W|20260101||ORU^R01|BIG1|P|2.5\rOBX|1|ED|X||";
  big.append(200 * 1024, 'A');
  big.append("\r\x1c\r");
  ASSERT_TRUE(oversize.send(big));
  ASSERT_TRUE(junk.send(std::string(256 * 1024, 'x')));
  // A message dripped a byte at a time while the other analyzer works.
  std::atomic<bool> is_dripping = true;
  std::thread drip([&] {
    AnalyzerSocket slow(port);
    const std::string message =
        "\x0bMSH|^~\\&|X|Y|Z|W|20260101||ORU^R01|DRIP1|P|2.5\rPID|1\r\x1c\r";
    for (std::size_t i = 0; i < message.size() && is_dripping; ++i) {
      slow.send(message.substr(i, 1));
      std::this_thread::sleep_for(20ms);  // the abuse itself: bytes far apart
    }
  });

  auto plan = plan_for(WireProtocol::Hl7, h.port("hl7-2"),
                       simulate::generate(simulate::Panel::Cbc, WireProtocol::Hl7, 50, 9));
  const auto report = simulate::run_simulation(plan);
  is_dripping = false;
  drip.join();
  EXPECT_EQ(count_answers(report, simulate::Answer::Acknowledged), 50u);
  EXPECT_EQ(h.messages_of("hl7-2"), 50);

  EXPECT_TRUE(silent.closed_by_host_within(10s)) << "idle timeout";
  // The oversize frame is answered (AE) and kept, raw and cut, as rejected.
  ASSERT_TRUE(testing::wait_until([&] { return h.messages_of("hl7-1") >= 1; }, 10s));
  EXPECT_EQ(h.count("SELECT count(*) FROM messages m JOIN analyzers a ON a.id = m.analyzer_id "
                    "WHERE a.name = 'hl7-1' AND m.status = 'rejected'"),
            h.messages_of("hl7-1"));
}

// Idle connections are not closed here (the default idle timeout is ten minutes), so what closes
// a connection is the cap alone: of 45, exactly 40 are served and exactly 5 closed at once.
TEST(Daemon, ConnectionsPastTheAnalyzersCapAreClosedAndThoseWithinItServed) {
  HL_REQUIRE_POSTGRES();
  auto a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  a.max_connections = 40;
  DaemonHarness h(one_analyzer(a));
  std::vector<std::unique_ptr<AnalyzerSocket>> sockets;
  for (int i = 0; i < 45; ++i)
    sockets.push_back(std::make_unique<AnalyzerSocket>(h.port("xn-1")));
  std::size_t served = 0;
  std::size_t closed = 0;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    const auto records = fmt::format(
        "H|\\^&|||XN-550\rO|1||^^SPEC-CAP-{}^B|^^^^WBC\rR|1|^^^^WBC^1|6.1|10*3/uL||N||F\rL|1|N\r",
        i);
    if (sockets[i]->send_e1381(records, 10s)) {
      ++served;
    } else {
      closed += sockets[i]->closed_by_host_within(10s) ? 1 : 0;
    }
  }
  EXPECT_EQ(served, 40u) << "every connection within the cap is served";
  EXPECT_EQ(closed, 5u) << "every connection past the cap is closed by the daemon";
  EXPECT_EQ(h.messages_of("xn-1"), 40);
}

TEST(Daemon, APeerNotInAllowedPeersIsClosedAtOnce) {
  HL_REQUIRE_POSTGRES();
  auto a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  a.allowed_peers = {"10.0.0.0/8", "::1"};
  DaemonHarness h(one_analyzer(a));
  AnalyzerSocket s(h.port("xn-1"));
  EXPECT_TRUE(s.closed_by_host_within(5s));
  EXPECT_EQ(h.daemon().connection_count(), 0u);
}

TEST(Daemon, ATcpClientAnalyzerIsDialedAndRedialedWithBackoff) {
  HL_REQUIRE_POSTGRES();
  // A free port for the simulated analyzer, which listens.
  std::uint16_t port = 0;
  {
    auto probe = testing::tcp_analyzer("probe", "generic-hl7", WireProtocol::Hl7);
    DaemonHarness p(one_analyzer(probe));
    port = p.port("probe");
  }
  config::AnalyzerConfig a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  a.transport = config::TcpClientTransport{"127.0.0.1", port, 100ms, 400ms, std::nullopt};
  DaemonHarness h(one_analyzer(a));  // dials before anyone listens: fails, backs off, retries
  auto plan = plan_for(WireProtocol::Astm, port,
                       simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, 10, 4));
  plan.endpoint = simulate::Endpoint::Listen;
  for (int round = 0; round < 2; ++round) {  // the second round needs a redial
    plan.messages = simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, 10, 4 + round);
    const auto report = simulate::run_simulation(plan);
    EXPECT_EQ(count_answers(report, simulate::Answer::Acknowledged), 10u) << "round " << round;
  }
  EXPECT_EQ(h.messages_of("xn-1"), 20);
}

TEST(Daemon, ExportFilesDroppedInTheFolderAreStoredAndMovedToDone) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir drop("drop");
  config::AnalyzerConfig a;
  a.name = "facs-1";
  a.driver = "bd-facs";
  a.protocol = WireProtocol::Export;
  a.transport = config::FileDropTransport{drop.path(), drop / "done", 100ms};
  DaemonHarness h(one_analyzer(a));
  std::filesystem::copy_file(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                 "tests/fixtures/exports/multiset-cd4-average.txt",
                             drop / "run-1.txt");
  ASSERT_TRUE(testing::wait_until(
      [&] { return std::filesystem::exists(drop / "done" / "run-1.txt"); }, 20s));
  EXPECT_FALSE(std::filesystem::exists(drop / "run-1.txt"));
  EXPECT_EQ(h.messages_of("facs-1"), 1);
  EXPECT_GT(h.count("SELECT count(*) FROM results"), 0);
}

TEST(Daemon, ReloadAppliesNewMappingsWithoutDroppingTheConnection) {
  HL_REQUIRE_POSTGRES();
  testing::TempDir dir("reload");
  auto a = testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm);
  DaemonHarness h(one_analyzer(a));
  AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send_e1381(kCbcRecords, 10s));
  {
    std::ofstream(dir / "xn.json")
        << R"({"driver": "sysmex-xn", "codes": {"WBC": {"code": "WBC-LAB", "units": "10*3/uL"}}})";
  }
  auto reloaded = h.config();
  reloaded.analyzers[0].mappings_file = dir / "xn.json";
  ASSERT_TRUE(h.daemon().reload(reloaded));
  std::string second = kCbcRecords;
  second.replace(second.find("SPEC-1"), 6, "SPEC-2");
  ASSERT_TRUE(s.send_e1381(second, 10s)) << "same connection";
  EXPECT_EQ(h.query_rows("SELECT code FROM results ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"WBC"}, {"WBC-LAB"}}));
  reloaded.analyzers[0].mappings_file = dir / "missing.json";
  EXPECT_FALSE(h.daemon().reload(reloaded)) << "a bad reload keeps what is in force";
}

TEST(Daemon, StoppingClosesTheConnectionsKeepsWhatWasStoredAndExitsZero) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(one_analyzer(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  AnalyzerSocket s(h.port("xn-1"));
  ASSERT_TRUE(s.send_e1381(kCbcRecords, 10s));
  EXPECT_EQ(h.stop(), 0);
  EXPECT_TRUE(s.closed_by_host_within(5s));
  EXPECT_EQ(h.messages_of("xn-1"), 1);
}

}  // namespace
}  // namespace hemalink::daemon
