// Previous results for the rules are read off the connections' I/O threads: with those reads made
// slow on purpose (a lock held on results), other analyzers are still answered within their
// protocols' limits, and nothing is lost once the lock goes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::AnalyzerSocket;
using testing::DaemonHarness;

// E1381 (LIS01-A2 8.5.2): a sender waits at most 15 s for the answer to an ENQ or a frame.
constexpr auto kE1381Limit = 15s;

daemon::DaemonConfig lab() {
  const auto rules = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";
  daemon::DaemonConfig c;
  c.analyzers.push_back(testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("xn-2", "sysmex-xn", WireProtocol::Astm));
  c.analyzers.push_back(testing::tcp_analyzer("hl7-1", "generic-hl7", WireProtocol::Hl7));
  c.rules.files = {rules / "cbc.json", rules / "coag.json", rules / "flow.json"};
  return c;
}

std::string cbc(const std::string& patient, const std::string& specimen) {
  return fmt::format(
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r"
      "P|1|||{}|^Doe^Jane||19720101|F\r"
      "O|1||^^        {}^B|^^^^WBC\\^^^^HGB|||||||N||||||||||||||F\r"
      "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
      "R|2|^^^^HGB^1|13.1|g/dL||N||F||||20261122101500\r"
      "L|1|N\r",
      patient, specimen);
}

std::string oru(const std::string& control_id) {
  return "\x0bMSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122101500||ORU^R01|" + control_id +
         "|P|2.5\rPID|1||P-HL7\rOBR|1||SPEC-" + control_id +
         "\rOBX|1|NM|WBC^White cells||6.1|10*3/uL|4.0-10.0|N|||F\r\x1c\r";
}

// The MLLP acknowledgement's payload, or "" when none came within `limit`.
std::string read_ack(AnalyzerSocket& s, std::chrono::milliseconds limit) {
  std::string ack;
  while (auto c = s.read_byte(limit)) {
    ack.push_back(*c);
    if (ack.ends_with("\x1c\r")) {
      return ack;
    }
  }
  return "";
}

TEST(HistoryReads, SlowReadsDoNotHoldUpOtherAnalyzersAndNothingIsLost) {
  HL_REQUIRE_POSTGRES();
  DaemonHarness h(lab());
  {
    AnalyzerSocket warm(h.port("xn-2"));
    ASSERT_TRUE(warm.send_e1381(cbc("P-WARM", "S-WARM"), kE1381Limit));
  }
  ASSERT_TRUE(testing::wait_until([&] { return h.messages_of("xn-2") == 1; }, 10s));

  testing::TableLock lock(h.dsn(), "results");
  // A patient never seen: its CBC needs a history read, which waits on the lock.
  auto first = std::async(std::launch::async, [&] {
    AnalyzerSocket s(h.port("xn-1"));
    return s.send_e1381(cbc("P-NEW", "S-1"), kE1381Limit);
  });
  AnalyzerSocket other(h.port("xn-2"));
  EXPECT_TRUE(other.send_e1381(cbc("P-OTHER", "S-2"), kE1381Limit))
      << "the ENQ and every frame of another analyzer answered within E1381's 15 s";
  AnalyzerSocket hl7(h.port("hl7-1"));
  ASSERT_TRUE(hl7.send(oru("C-1")));
  const auto ack = read_ack(hl7, kE1381Limit);
  EXPECT_NE(ack.find("MSA|AA|C-1"), std::string::npos) << ack;
  EXPECT_TRUE(first.get()) << "the analyzer whose history could not be read is answered too";
  EXPECT_GE(h.daemon().health().spooled_over_budget, 1U)
      << "answered from the spool: the database could not take them while the lock was held";

  lock.release();
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return h.messages_of("xn-1") == 1 && h.messages_of("xn-2") == 2 &&
               h.messages_of("hl7-1") == 1;
      },
      30s))
      << "every message stored once the lock is gone";
  EXPECT_EQ(h.count("SELECT count(*) FROM results WHERE specimen_id IN ('S-1', 'S-2')"), 4);
}

}  // namespace
}  // namespace hemalink::daemon
