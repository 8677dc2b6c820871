#include "server/lis/lis_config.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::lis {
namespace {

using config::SerialTransport;
using config::TcpClientTransport;
using config::TcpServerTransport;

struct Read {
  std::vector<LisDestination> destinations;
  std::vector<std::string> errors;
};

// `lis` read as the daemon's configuration reads it, beside the analyzers xn-1 and cs-1.
Read read(const std::string& lis) {
  std::vector<config::AnalyzerConfig> analyzers(2);
  analyzers[0].name = "xn-1";
  analyzers[1].name = "cs-1";
  Read r;
  files::FileErrors errors;
  const auto json = nlohmann::json::parse(R"({"lis": )" + lis + "}");
  {
    files::JsonFields top(json, "", errors);
    r.destinations = read_lis_config(top, "/etc/hemalink", analyzers);
  }
  for (const auto& e : errors)
    r.errors.push_back(e.describe());
  return r;
}

TEST(LisConfig, DestinationsReadEveryKey) {
  const auto c = read(R"([
      {"name": "lis-a", "protocol": "hl7",
       "transport": {"type": "tcp-client", "host": "10.0.0.5", "port": 5100},
       "mapping": "lis/a.json", "analyzers": ["xn-1"], "sending_application": "HL",
       "sending_facility": "LAB", "receiving_application": "LIS", "receiving_facility": "HOSP",
       "processing_id": "T", "ack_timeout_ms": 2500, "max_attempts": 4, "backoff_min_ms": 50,
       "backoff_max_ms": 800},
      {"name": "lis-b", "protocol": "astm",
       "transport": {"type": "tcp-server", "listen_address": "127.0.0.1", "port": 5200},
       "allowed_peers": ["10.0.0.0/8"], "tcp_keepalive": false},
      {"name": "lis-c", "protocol": "astm",
       "transport": {"type": "serial", "device": "/dev/ttyS1", "baud": 9600}}])");
  EXPECT_TRUE(c.errors.empty()) << ::testing::PrintToString(c.errors);
  ASSERT_EQ(c.destinations.size(), 3U);
  const auto& a = c.destinations[0];
  EXPECT_EQ(a.name, "lis-a");
  EXPECT_EQ(a.protocol, WireProtocol::Hl7);
  EXPECT_EQ(std::get<TcpClientTransport>(a.transport).host, "10.0.0.5");
  EXPECT_EQ(a.mapping_file, std::filesystem::path("/etc/hemalink/lis/a.json"));
  EXPECT_TRUE(a.takes("xn-1"));
  EXPECT_FALSE(a.takes("cs-1"));
  EXPECT_EQ(a.sending_application, "HL");
  EXPECT_EQ(a.sending_facility, "LAB");
  EXPECT_EQ(a.receiving_application, "LIS");
  EXPECT_EQ(a.receiving_facility, "HOSP");
  EXPECT_EQ(processing_id_code(a.processing_id), 'T');
  EXPECT_EQ(a.ack_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(a.max_attempts, 4);
  EXPECT_EQ(a.backoff_min, std::chrono::milliseconds(50));
  EXPECT_EQ(a.backoff_max, std::chrono::milliseconds(800));
  const auto& b = c.destinations[1];
  EXPECT_EQ(b.protocol, WireProtocol::Astm);
  EXPECT_EQ(std::get<TcpServerTransport>(b.transport).port, 5200);
  EXPECT_EQ(b.allowed_peers, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_FALSE(b.tcp_keepalive);
  EXPECT_TRUE(b.takes("cs-1"));
  EXPECT_EQ(std::get<SerialTransport>(c.destinations[2].transport).device, "/dev/ttyS1");
}

TEST(LisConfig, ErrorsNameTheirPath) {
  const auto old_form = read(R"({"host": "127.0.0.1", "port": 5100})").errors;
  ASSERT_EQ(old_form.size(), 1U);
  EXPECT_TRUE(old_form[0].starts_with("lis: expected a list of destinations"));
  const auto errors = read(R"([
      {"name": "lis", "protocol": "fhir", "transport": {"type": "file-drop", "folder": "x"},
       "analyzers": ["xn-9"], "processing_id": "X", "ack_timeout_ms": 5, "max_attempts": 0,
       "backoff_min_ms": 500, "backoff_max_ms": 100, "colour": "red"},
      {"name": "lis", "protocol": "hl7", "transport": {"type": "tcp-client", "port": 1}}])")
                          .errors;
  const std::vector<std::string> expected = {
      "lis[0].protocol: expected \"hl7\" or \"astm\", got \"fhir\"",
      "lis[0].transport.type: a LIS is reached over \"tcp-client\", \"tcp-server\" or \"serial\"",
      "lis[0].analyzers[0]: no analyzer is named \"xn-9\"",
      "lis[0].processing_id: expected \"P\", \"T\" or \"D\", got \"X\"",
      "lis[0].ack_timeout_ms: expected an integer 100-600000, got 5",
      "lis[0].max_attempts: expected an integer 1-1000, got 0",
      "lis[0].backoff_max_ms: expected at least backoff_min_ms (500), got 100",
      "lis[0].colour: unknown key",
      "lis[1].transport.host: required",
      "lis[1].name: \"lis\" is already the name of lis[0]"};
  EXPECT_EQ(errors, expected);
}

}  // namespace
}  // namespace hemalink::lis
