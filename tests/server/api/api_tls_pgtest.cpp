// The HTTP API over TLS: https with the server's certificate checked by the client, plain HTTP
// refused on the TLS port, and client certificates required when a client CA is configured.
#include <gtest/gtest.h>

#include "server/api/api_tokens.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/store_harness.hpp"

namespace hemalink::api {
namespace {

using testing::https_request;
using testing::TlsClientFiles;

struct TlsLab {
  testing::TestPki pki{"api-tls"};
  NewToken viewer = make_token();

  daemon::DaemonConfig config(bool require_client_certificates) const {
    daemon::DaemonConfig c;
    c.http.tokens = {{"vera", config::ApiRole::Viewer, viewer.sha256}};
    c.http.tls = transport::TlsServer{
        pki / "server.pem", pki / "server.key",
        require_client_certificates ? pki / "ca.pem" : std::filesystem::path()};
    return c;
  }
};

TEST(ApiTls, TheApiAnswersOverTlsAndPlainHttpIsNotServedThere) {
  HL_REQUIRE_POSTGRES();
  TlsLab lab;
  ASSERT_TRUE(lab.pki.is_made()) << "the openssl command made no test certificates";
  testing::DaemonHarness h(lab.config(false));
  const auto port = h.daemon().http_port();
  const auto health = https_request(port, lab.pki.client(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  const auto analyzers =
      https_request(port, lab.pki.client(), "GET", "/api/v1/analyzers", lab.viewer.token);
  EXPECT_EQ(analyzers.status, 200) << analyzers.body;
  EXPECT_EQ(https_request(port, lab.pki.client(), "GET", "/api/v1/analyzers").status, 401);
  EXPECT_EQ(testing::http_request(port, "GET", "/healthz").status, 0)
      << "no HTTP answer without TLS";
  TlsClientFiles wrong_ca = lab.pki.client();
  wrong_ca.ca = (lab.pki / "other-ca.pem").string();
  EXPECT_EQ(https_request(port, wrong_ca, "GET", "/healthz").status, 0)
      << "a client that does not trust the server's CA does not go on";
}

TEST(ApiTls, AClientCaRequiresACertificateItSigned) {
  HL_REQUIRE_POSTGRES();
  TlsLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  testing::DaemonHarness h(lab.config(true));
  const auto port = h.daemon().http_port();
  EXPECT_EQ(https_request(port, lab.pki.client("client"), "GET", "/healthz").status, 200);
  EXPECT_EQ(https_request(port, lab.pki.client(), "GET", "/healthz").status, 0)
      << "no client certificate: refused in the handshake";
  EXPECT_EQ(https_request(port, lab.pki.client("stranger"), "GET", "/healthz").status, 0)
      << "one another CA signed: refused";
}

TEST(ApiTls, AKeyThatCannotBeReadIsAStartUpFailureNamingIt) {
  HL_REQUIRE_POSTGRES();
  TlsLab lab;
  ASSERT_TRUE(lab.pki.is_made());
  auto c = lab.config(false);
  c.http.tls->key = lab.pki / "client.pem";  // not a key
  try {
    testing::DaemonHarness h(c);
    FAIL() << "the daemon started with a certificate as its key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("client.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hemalink::api
