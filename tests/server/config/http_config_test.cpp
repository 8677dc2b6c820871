#include "server/config/http_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "server/daemon/daemon_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::config {
namespace {

const std::string kHash(64, 'a');

Result<daemon::DaemonConfig, files::FileErrors> parse(
    const std::string& sections, const std::filesystem::path& base = "/etc/hemalink") {
  return daemon::parse_daemon_config(
      R"({"database": {"url": "postgresql:///x"}, "analyzers": [], )" + sections + "}", base,
      std::nullopt);
}

std::vector<std::string> errors_of(const std::string& sections) {
  std::vector<std::string> out;
  if (auto parsed = parse(sections); !parsed) {
    for (const auto& e : parsed.error())
      out.push_back(e.describe());
  }
  return out;
}

TEST(HttpConfig, TheListenerItsLimitsAndTheTokensAreRead) {
  const auto c = parse(R"("http": {"listen": "[::1]:9090", "max_connections": 8,
                                   "max_body_bytes": 4096, "request_timeout_ms": 500},
                         "api": {"tokens": [{"user": "ana", "role": "technologist", "sha256": ")" +
                       kHash + R"("}]})");
  ASSERT_TRUE(c) << files::describe(c.error(), "\n");
  EXPECT_EQ(c->http.listen, "[::1]:9090");
  EXPECT_EQ(c->http.max_connections, 8u);
  EXPECT_EQ(c->http.max_body_bytes, 4096u);
  EXPECT_EQ(c->http.request_timeout, std::chrono::milliseconds(500));
  ASSERT_EQ(c->http.tokens.size(), 1u);
  EXPECT_EQ(c->http.tokens[0].user, "ana");
  EXPECT_EQ(c->http.tokens[0].role, ApiRole::Technologist);
}

TEST(HttpConfig, EachMistakeIsNamedByItsPath) {
  const auto errors = errors_of(R"("http": {"listen": "localhost:80"},
      "api": {"tokens": [{"user": "ana", "role": "root", "sha256": "ABC"},
                         {"user": "bo", "role": "viewer", "sha256": ")" +
                                kHash + R"(", "note": 1},
                         {"user": "cy", "role": "admin", "sha256": ")" +
                                kHash + R"("}]})");
  ASSERT_EQ(errors.size(), 5u) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("http.listen: expected ADDRESS:PORT"), std::string::npos);
  EXPECT_NE(errors[1].find("api.tokens[0].role: expected \"viewer\""), std::string::npos);
  EXPECT_NE(errors[2].find("api.tokens[0].sha256: expected the token's SHA-256"),
            std::string::npos);
  EXPECT_EQ(errors[3], "api.tokens[1].note: unknown key");
  EXPECT_EQ(errors[4], "api.tokens[2].sha256: the same token is configured twice");
}

TEST(HttpConfig, ATokensFileAddsItsTokensAndItsErrorsNameIt) {
  testing::TempDir dir("tokens");
  std::ofstream(dir / "tokens.json")
      << R"({"tokens": [{"user": "dev", "role": "admin", "sha256": ")" << kHash << R"("}]})";
  const auto c = parse(R"("api": {"tokens_file": "tokens.json"})", dir.path());
  ASSERT_TRUE(c) << files::describe(c.error(), "\n");
  ASSERT_EQ(c->http.tokens.size(), 1u);
  EXPECT_EQ(c->http.tokens[0].role, ApiRole::Admin);

  std::ofstream(dir / "bad.json") << R"({"tokens": [{"user": "dev", "role": "admin"}]})";
  const auto bad = parse(R"("api": {"tokens_file": "bad.json"})", dir.path());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error()[0].describe().find("bad.json"), std::string::npos);
  EXPECT_NE(bad.error()[0].describe().find("sha256"), std::string::npos);

  const auto absent = parse(R"("api": {"tokens_file": "none.json"})", dir.path());
  ASSERT_TRUE(absent) << "a tokens file not made yet gives no tokens: every call is refused";
  EXPECT_TRUE(absent->http.tokens.empty());
}

TEST(TlsConfig, ListenersTakeAServerCertificateAndDialersACaAndName) {
  testing::TempDir dir("tls-config");
  for (const char* name : {"server.pem", "server.key", "ca.pem", "client.pem", "client.key"})
    std::ofstream(dir / name) << name;
  const auto c = daemon::parse_daemon_config(
      R"({"database": {"url": "postgresql:///x"}, "analyzers": [{"name": "a", "driver": "generic-hl7",
          "protocol": "hl7", "transport": {"type": "tcp-server", "port": 5004,
          "tls": {"certificate": "server.pem", "key": "server.key"}}}],
          "lis": [{"name": "in", "protocol": "hl7", "transport": {"type": "tcp-server", "port": 5100,
          "tls": {"certificate": "server.pem", "key": "server.key", "client_ca": "ca.pem"}}},
          {"name": "out", "protocol": "astm", "transport": {"type": "tcp-client", "host": "10.1.2.3",
          "port": 5101, "tls": {"ca": "ca.pem", "server_name": "lis.lab.example",
          "certificate": "client.pem", "key": "client.key"}}},
          {"name": "system-cas", "protocol": "hl7", "transport": {"type": "tcp-client",
          "host": "lis.lab.example", "port": 5102, "tls": {}}}]})",
      dir.path(), std::nullopt);
  ASSERT_TRUE(c) << files::describe(c.error(), "\n");
  const auto& tls = std::get<TcpServerTransport>(c->analyzers[0].transport).tls;
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->certificate, dir / "server.pem");
  EXPECT_TRUE(tls->client_ca.empty());
  const auto& in = std::get<TcpServerTransport>(c->lis[0].transport).tls;
  ASSERT_TRUE(in);
  EXPECT_EQ(in->client_ca, dir / "ca.pem");
  const auto& out = std::get<TcpClientTransport>(c->lis[1].transport).tls;
  ASSERT_TRUE(out);
  EXPECT_EQ(out->ca, dir / "ca.pem");
  EXPECT_EQ(out->server_name, "lis.lab.example");
  EXPECT_EQ(out->certificate, dir / "client.pem");
  EXPECT_EQ(out->key, dir / "client.key");
  const auto& system = std::get<TcpClientTransport>(c->lis[2].transport).tls;
  ASSERT_TRUE(system) << "an empty tls object: the system's CAs and the host's name";
  EXPECT_TRUE(system->ca.empty());
  EXPECT_TRUE(system->server_name.empty());
}

TEST(TlsConfig, ErrorsNameTheTlsKeyThatIsWrong) {
  testing::TempDir dir("tls-config");
  std::ofstream(dir / "client.pem") << "certificate";
  const auto bad = daemon::parse_daemon_config(
      R"({"database": {"url": "postgresql:///x"}, "analyzers": [{"name": "a", "driver": "generic-hl7",
          "protocol": "hl7", "transport": {"type": "tcp-server", "port": 5004,
          "tls": {"certificate": "none.pem"}}}],
          "lis": [{"name": "lis", "protocol": "hl7", "transport": {"type": "tcp-client",
          "host": "127.0.0.1", "port": 5100, "tls": {"certificate": "client.pem",
          "ca": "no-ca.pem", "client_ca": "x"}}}]})",
      dir.path(), std::nullopt);
  ASSERT_FALSE(bad);
  std::vector<std::string> errors;
  for (const auto& e : bad.error())
    errors.push_back(e.describe());
  const auto has = [&](const std::string& text) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const auto& e) { return e.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("analyzers[0].transport.tls.certificate: cannot read"))
      << ::testing::PrintToString(errors);
  EXPECT_TRUE(has("analyzers[0].transport.tls.key"));
  EXPECT_TRUE(has("lis[0].transport.tls.ca: cannot read"));
  EXPECT_TRUE(has("lis[0].transport.tls.key: a client certificate needs both"));
  EXPECT_TRUE(has("lis[0].transport.tls.client_ca")) << "a listener's key on a dialer is unknown";
}

}  // namespace
}  // namespace hemalink::config
