// LIS destinations over TLS: hemalink dials a lis-sim that speaks TLS (HL7 MLLP and ASTM E1381
// inside it, hemalink's client certificate when lis-sim asks for one); a certificate issued to
// another name is refused before any result goes; a LIS that connects to hemalink's TLS listener
// gets the results, and a client certificate another CA signed gets nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "server/simulate/simulation.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;

constexpr auto kDeliveryLimit = std::chrono::seconds(60);

std::string oru(const std::string& specimen) {
  return fmt::format(
      "MSH|^~\\&|FACSLyric^BD|LAB|hemalink|LAB|20261128110000||ORU^R01^ORU_R01|{}|P|2.5.1\r"
      "PID|1||P-{}^^^HOSP^MR||Doe^Jane||19720101|F\r"
      "OBR|1|ORD-1|{}|57790-6^Lymphocyte subset panel^LN|||20261128101500\r"
      "OBX|1|NM|8123-2^CD4%^LN||42.0|%|31-60|N|||F\r",
      specimen, specimen, specimen);
}

struct TlsLisLab {
  testing::TestPki pki{"lis-tls"};
  testing::TempDir dir{"lis-tls-rules"};

  simulate::LisSimOptions lis_sim(WireProtocol protocol, bool require_client_certificate) const {
    auto options = testing::lis_sim_options(0, protocol);
    options.tls =
        transport::TlsServer{pki / "server.pem", pki / "server.key",
                             require_client_certificate ? pki / "ca.pem" : std::filesystem::path()};
    return options;
  }

  transport::TlsClient dialing(const std::string& server_name, bool with_certificate) const {
    return {pki / "ca.pem", server_name,
            with_certificate ? pki / "client.pem" : std::filesystem::path(),
            with_certificate ? pki / "client.key" : std::filesystem::path()};
  }

  daemon::DaemonConfig config(transport::Transport to_lis, WireProtocol protocol) const {
    daemon::DaemonConfig c;
    auto facs = testing::tcp_analyzer("facs-1", "generic-hl7", WireProtocol::Hl7);
    facs.base = "loinc-lymphocyte-subsets";
    c.analyzers.push_back(facs);
    const auto rules = dir / "release-all.json";
    std::ofstream(rules) << R"({"version": "release-all-test", "rules": [
        {"id": "release-all", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
    c.rules.files = {rules};
    lis::LisDestination d;
    d.name = "lis";
    d.protocol = protocol;
    d.transport = std::move(to_lis);
    d.ack_timeout = 2000ms;
    d.max_attempts = 10;
    d.backoff_min = 100ms;
    d.backoff_max = 400ms;
    c.lis.push_back(d);
    return c;
  }
};

transport::TcpClientTransport dial(std::uint16_t port, transport::TlsClient tls) {
  return {"127.0.0.1", port, 100ms, 400ms, std::move(tls)};
}

void send(testing::DaemonHarness& h, const std::string& specimen) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Hl7;
  plan.targets = {{"127.0.0.1", h.port("facs-1")}};
  plan.messages = {oru(specimen)};
  plan.timeout = 60s;
  const auto report = simulate::run_simulation(plan);
  ASSERT_EQ(report.results.size(), 1u);
  ASSERT_EQ(report.results[0].answer, simulate::Answer::Acknowledged) << report.results[0].detail;
}

bool all_delivered(const testing::DaemonHarness& h) {
  return testing::wait_until(
      [&] {
        return h.count("SELECT count(*) FROM outbox") > 0 &&
               h.count("SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0;
      },
      kDeliveryLimit);
}

TEST(LisTls, Hl7ReachesALisThatAsksForHemalinksCertificateAndNamesItselfLocalhost) {
  HL_REQUIRE_POSTGRES();
  TlsLisLab lab;
  ASSERT_TRUE(lab.pki.is_made()) << "the openssl command made no test certificates";
  testing::LisSimRunner lis(lab.lis_sim(WireProtocol::Hl7, true));
  testing::DaemonHarness h(
      lab.config(dial(lis.port(), lab.dialing("localhost", true)), WireProtocol::Hl7));
  send(h, "S-TLS-1");
  ASSERT_TRUE(all_delivered(h));
  const auto received = lis.ledger().messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].specimen_id, "S-TLS-1");
  EXPECT_EQ(received[0].values, std::vector<std::string>{"42.0"});
}

TEST(LisTls, AstmE1381InsideTlsReachesTheLisByItsAddress) {
  HL_REQUIRE_POSTGRES();
  TlsLisLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  testing::LisSimRunner lis(lab.lis_sim(WireProtocol::Astm, false));
  testing::DaemonHarness h(
      lab.config(dial(lis.port(), lab.dialing("", false)), WireProtocol::Astm));
  send(h, "S-TLS-2");
  ASSERT_TRUE(all_delivered(h));
  const auto received = lis.ledger().messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].specimen_id, "S-TLS-2");
  EXPECT_TRUE(received[0].error.empty()) << received[0].error;
}

TEST(LisTls, ACertificateIssuedToAnotherNameIsRefusedBeforeAnyResultGoes) {
  HL_REQUIRE_POSTGRES();
  testing::LogCapture log;
  TlsLisLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  testing::LisSimRunner lis(lab.lis_sim(WireProtocol::Hl7, false));
  testing::DaemonHarness h(
      lab.config(dial(lis.port(), lab.dialing("lis.lab.example", false)), WireProtocol::Hl7));
  send(h, "S-TLS-3");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return lis.ledger().totals().connections >= 2 &&
               log.text().find("hostname mismatch") != std::string::npos;
      },
      30s))
      << "hemalink dials again and again, and says why it will not go on:\n"
      << log.text();
  EXPECT_NE(log.text().find("lis 127.0.0.1"), std::string::npos);
  EXPECT_EQ(lis.ledger().totals().received, 0u);
  EXPECT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0"), 1)
      << "a refused handshake is no attempt: the row waits for a LIS it can trust";
}

std::string control_id_of(const std::string& framed) {
  const auto msh = framed.find("MSH|");
  std::size_t at = msh;
  for (int field = 0; field < 9 && at != std::string::npos; ++field)
    at = framed.find('|', at + 1);
  if (at == std::string::npos)
    return {};
  return framed.substr(at + 1, framed.find('|', at + 1) - at - 1);
}

TEST(LisTls, ALisConnectingToHemalinksTlsListenerGetsTheResultsAndAStrangerNothing) {
  HL_REQUIRE_POSTGRES();
  TlsLisLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  config::TcpServerTransport listen{
      "127.0.0.1", 0,
      transport::TlsServer{lab.pki / "server.pem", lab.pki / "server.key", lab.pki / "ca.pem"}};
  testing::DaemonHarness h(lab.config(listen, WireProtocol::Hl7));
  send(h, "S-TLS-4");
  ASSERT_EQ(h.count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 1);

  testing::TlsSocket stranger(h.port("lis"), lab.pki.client("stranger"));
  EXPECT_FALSE(stranger.is_open() && stranger.receive_until("\x1c\r"))
      << "a certificate another CA signed receives no result";

  testing::TlsSocket lis(h.port("lis"), lab.pki.client("client"));
  ASSERT_TRUE(lis.is_open());
  const auto message = lis.receive_until("\x1c\r");
  ASSERT_TRUE(message);
  EXPECT_NE(message->find("OBR|1|"), std::string::npos) << *message;
  EXPECT_NE(message->find("S-TLS-4"), std::string::npos) << *message;
  const auto id = control_id_of(*message);
  ASSERT_FALSE(id.empty()) << *message;
  ASSERT_TRUE(lis.send(fmt::format(
      "\x0bMSH|^~\\&|LIS|LAB|hemalink|LAB|20261128110001||ACK^R01^ACK|A-{}|P|2.5.1\rMSA|AA|{}\r"
      "\x1c\r",
      id, id)));
  EXPECT_TRUE(all_delivered(h));
}

}  // namespace
}  // namespace hemalink::daemon
