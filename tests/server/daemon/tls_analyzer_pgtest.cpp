// Analyzers over TLS: an HL7 analyzer's MLLP and a Sysmex XN's E1381 inside TLS are acknowledged
// and stored; plain bytes on the TLS port are not; with a client CA, only a certificate it signed
// gets through.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "protocols/astm/e1381_link.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;
using testing::TlsClientFiles;

std::string mllp(const std::string& control_id) {
  return fmt::format(
      "\x0bMSH|^~\\&|FACSLyric^BD|LAB|hemalink|LAB|20261122110000||ORU^R01^ORU_R01|{}|P|2.5.1\r"
      "PID|1||P-77^^^HOSP^MR||Doe^Jane||19720101|F\r"
      "OBR|1|ORD-1|S-{}|57790-6^Lymphocyte subset panel^LN|||20261122101500\r"
      "OBX|1|NM|8123-2^CD4%^LN||42.0|%|31-60|N|||F\r\x1c\r",
      control_id, control_id);
}

struct TlsAnalyzerLab {
  testing::TestPki pki{"analyzer-tls"};

  daemon::DaemonConfig config(bool require_client_certificates,
                              config::AnalyzerConfig a = testing::tcp_analyzer(
                                  "facs-lis", "generic-hl7", WireProtocol::Hl7)) const {
    daemon::DaemonConfig c;
    std::get<config::TcpServerTransport>(a.transport).tls = transport::TlsServer{
        pki / "server.pem", pki / "server.key",
        require_client_certificates ? pki / "ca.pem" : std::filesystem::path()};
    a.link_timeouts.establishment = 2s;
    c.analyzers.push_back(a);
    return c;
  }
};

TEST(TlsAnalyzer, MllpInsideTlsIsAcknowledgedAndStored) {
  HL_REQUIRE_POSTGRES();
  TlsAnalyzerLab lab;
  ASSERT_TRUE(lab.pki.is_made()) << "the openssl command made no test certificates";
  testing::DaemonHarness h(lab.config(false));
  const auto ack =
      testing::tls_exchange(h.port("facs-lis"), lab.pki.client(), mllp("T-1"), "\x1c\r");
  ASSERT_TRUE(ack);
  EXPECT_NE(ack->find("MSA|AA|T-1"), std::string::npos) << *ack;
  EXPECT_EQ(h.count("SELECT count(*) FROM specimens WHERE specimen_id = 'S-T-1'"), 1);

  testing::AnalyzerSocket plain(h.port("facs-lis"));
  plain.send(mllp("T-2"));
  EXPECT_TRUE(plain.closed_by_host_within(10s)) << "plain MLLP on the TLS port is closed";
  EXPECT_EQ(h.messages_of("facs-lis"), 1) << "and nothing of it is stored";
}

TEST(TlsAnalyzer, AClientCaLetsInOnlyACertificateItSigned) {
  HL_REQUIRE_POSTGRES();
  TlsAnalyzerLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  testing::DaemonHarness h(lab.config(true));
  const auto port = h.port("facs-lis");
  const auto signed_ack =
      testing::tls_exchange(port, lab.pki.client("client"), mllp("C-1"), "\x1c\r");
  ASSERT_TRUE(signed_ack);
  EXPECT_NE(signed_ack->find("MSA|AA|C-1"), std::string::npos);
  EXPECT_FALSE(testing::tls_exchange(port, lab.pki.client(), mllp("C-2"), "\x1c\r"));
  EXPECT_FALSE(testing::tls_exchange(port, lab.pki.client("stranger"), mllp("C-3"), "\x1c\r"));
  EXPECT_EQ(h.messages_of("facs-lis"), 1);
}

TEST(TlsAnalyzer, AstmE1381InsideTlsIsAcknowledgedFrameByFrameAndStored) {
  HL_REQUIRE_POSTGRES();
  TlsAnalyzerLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  testing::DaemonHarness h(
      lab.config(false, testing::tcp_analyzer("xn-1", "sysmex-xn", WireProtocol::Astm)));
  testing::TlsSocket xn(h.port("xn-1"), lab.pki.client());
  ASSERT_TRUE(xn.is_open());
  const std::vector<std::string> records = {
      "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r",
      "P|1|||P-TLS|^Doe^Jane||19720101|F\r",
      "O|1||^^        S-XN-TLS^B|^^^^WBC|||||||N||||||||||||||F\r",
      "R|1|^^^^WBC^1|6.20|10*3/uL||N||F||||20261128101500\r", "L|1|N\r"};
  ASSERT_TRUE(xn.send("\x05"));
  ASSERT_EQ(xn.receive_until("\x06"), "\x06") << "the ENQ is answered inside TLS";
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::string frame;
    astm::encode_frame(static_cast<int>((i + 1) % 8), records[i], true, frame);
    ASSERT_TRUE(xn.send(frame));
    ASSERT_EQ(xn.receive_until("\x06"), "\x06") << "frame " << i + 1;
  }
  ASSERT_TRUE(xn.send("\x04"));
  EXPECT_TRUE(testing::wait_until(
      [&] { return h.count("SELECT count(*) FROM specimens WHERE specimen_id = 'S-XN-TLS'") == 1; },
      30s));
  EXPECT_EQ(h.messages_of("xn-1"), 1);
}

}  // namespace
}  // namespace hemalink::daemon
