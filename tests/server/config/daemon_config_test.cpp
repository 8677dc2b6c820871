#include "server/config/daemon_config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace hemalink::config {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> errors_of(const std::string& text) {
  auto parsed = parse_daemon_config(text, "/etc/hemalink", std::nullopt);
  std::vector<std::string> described;
  if (!parsed) {
    for (const auto& e : parsed.error())
      described.push_back(e.describe());
  }
  return described;
}

DaemonConfig config_of(const std::string& text, std::optional<std::string> url = std::nullopt) {
  auto parsed = parse_daemon_config(text, "/etc/hemalink", url);
  if (!parsed) {
    ADD_FAILURE() << files::describe(parsed.error(), "\n");
    return {};
  }
  return *parsed;
}

std::string with_analyzer(const std::string& analyzer) {
  return R"({"database": {"url": "postgresql:///x"}, "analyzers": [)" + analyzer + "]}";
}

TEST(DaemonConfig, LinkTimersLeniencesAndCapsAreRead) {
  const auto c = config_of(R"({"database": {"url": "postgresql:///x"}, "shutdown_grace_ms": 2500,
    "analyzers": [{"name": "a", "driver": "generic-astm", "protocol": "astm",
      "transport": {"type": "tcp-server", "port": 5001}, "max_connections": 4,
      "link_timeouts_ms": {"receive": 500, "reply": 1000},
      "leniencies": ["bad-checksum", "doubled-repeat-delimiter"]}]})");
  ASSERT_EQ(c.analyzers.size(), 1U);
  const auto& a = c.analyzers[0];
  EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(2500));
  EXPECT_EQ(a.max_connections, 4U);
  EXPECT_EQ(a.link_timeouts.receive, std::chrono::milliseconds(500));
  EXPECT_EQ(a.link_timeouts.reply, std::chrono::milliseconds(1000));
  EXPECT_EQ(a.link_timeouts.establishment, std::chrono::milliseconds(15000));
  EXPECT_TRUE(a.leniencies.bad_checksum);
  EXPECT_TRUE(a.leniencies.doubled_repeat_delimiter);
  EXPECT_FALSE(a.leniencies.unpadded_checksum);
}

TEST(DaemonConfig, UnknownLeniencesAndTimersOnTheWrongLinkAreErrors) {
  const auto errors = errors_of(with_analyzer(
      R"({"name": "h", "driver": "generic-hl7", "protocol": "hl7",
          "transport": {"type": "tcp-server", "port": 5004},
          "link_timeouts_ms": {"receive": 50}, "leniencies": ["sloppy"]})"));
  ASSERT_EQ(errors.size(), 4U) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "analyzers[0].link_timeouts_ms: only E1381 links have link timers");
  EXPECT_EQ(errors[1],
            "analyzers[0].link_timeouts_ms.receive: expected an integer 100-600000, got 50");
  EXPECT_NE(errors[2].find("analyzers[0].leniencies[0]: expected one of bad-checksum"),
            std::string::npos);
  EXPECT_EQ(errors[3], "analyzers[0].leniencies: only ASTM analyzers have leniencies");
}

TEST(DaemonConfig, DownloadModeIsForAnalyzersThatCanBeSentOrders) {
  const auto c = config_of(with_analyzer(
      R"({"name": "xn", "driver": "sysmex-xn", "protocol": "astm", "download_orders": true,
          "transport": {"type": "tcp-server", "port": 5001}})"));
  ASSERT_EQ(c.analyzers.size(), 1U);
  EXPECT_TRUE(c.analyzers[0].download_orders);
  const auto errors = errors_of(with_analyzer(
      R"({"name": "f", "driver": "bd-facs", "protocol": "export", "download_orders": true,
          "transport": {"type": "file-drop", "folder": "/var/lib/facs"}})"));
  ASSERT_EQ(errors.size(), 1U) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "analyzers[0].download_orders: bd-facs analyzers cannot be sent orders: its driver "
            "has no order layout");
}

// How many points in a row outside make an alarm: two XbarM batches unless the lab says, one
// moving-average point unless it says; out of range is named by its path.
TEST(DaemonConfig, TheAveragesSayHowManyPointsOutsideMakeAnAlarm) {
  const std::string analyzer = R"({"name": "xn-1", "driver": "sysmex-xn", "protocol": "astm",
      "transport": {"type": "tcp-server", "port": 5001}})";
  const auto defaults = config_of(with_analyzer(analyzer));
  EXPECT_EQ(defaults.qc.policy.xbarm.confirm_batches, 2U);
  const auto c = config_of(R"({"database": {"url": "postgresql:///x"}, "analyzers": [)" + analyzer +
                           R"(], "qc": {"xbarm": {"confirm_batches": 3},
      "moving_averages": [{"analyzer": "xn-1", "test": "PLT", "method": "ewma", "target": 250,
                           "low": 235, "high": 265},
                          {"analyzer": "xn-1", "test": "WBC", "method": "ma", "target": 7,
                           "low": 6, "high": 8, "confirm_points": 2}]}})");
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "MCV")->confirm, 3U);
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "PLT")->confirm, 1U);
  EXPECT_EQ(c.qc.policy.average_of("xn-1", "WBC")->confirm, 2U);
  const auto errors = errors_of(R"({"database": {"url": "postgresql:///x"}, "analyzers": [)" +
                                analyzer + R"(], "qc": {"xbarm": {"confirm_batches": 0}}})");
  EXPECT_EQ(
      errors,
      (std::vector<std::string>{"qc.xbarm.confirm_batches: expected an integer 1-10, got 0"}));
}

TEST(DaemonConfig, TheExampleIsAWorkingLab) {
  const auto dir = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config";
  const auto c = config_of(read(dir / "hemalink.example.json"));
  ASSERT_EQ(c.analyzers.size(), 5U);
  EXPECT_EQ(c.qc.controls_file, std::filesystem::path("/etc/hemalink/qc/controls.json"));
  EXPECT_EQ(c.qc.policy.establish_runs, 20U);
  EXPECT_EQ(c.qc.policy.run_window, std::chrono::minutes(60));
  EXPECT_EQ(c.qc.policy.interval, std::chrono::hours(24));
  EXPECT_TRUE(c.qc.hold_out && c.qc.hold_unknown);
  EXPECT_EQ(c.analyzers[0].driver, "sysmex-xn");
  EXPECT_EQ(std::get<TcpServerTransport>(c.analyzers[0].transport).port, 5001);
  EXPECT_EQ(c.analyzers[0].link, AstmLink::E1381);
  EXPECT_EQ(c.analyzers[1].driver, "sysmex-cs");
  EXPECT_EQ(std::get<TcpServerTransport>(c.analyzers[1].transport).port, 5002);
  EXPECT_EQ(c.analyzers[2].driver, "bd-facs");
  EXPECT_EQ(std::get<FileDropTransport>(c.analyzers[2].transport).folder,
            std::filesystem::path("/etc/hemalink/../var/drop/facs-1"));
  EXPECT_EQ(c.analyzers[3].protocol, WireProtocol::Hl7);
  EXPECT_EQ(std::get<TcpServerTransport>(c.analyzers[3].transport).port, 5003);
  EXPECT_EQ(c.analyzers[4].protocol, WireProtocol::Hl7);
  EXPECT_EQ(std::get<TcpServerTransport>(c.analyzers[4].transport).port, 5004);
  EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
  ASSERT_EQ(c.lis.size(), 1U);
  EXPECT_EQ(c.lis[0].name, "lis");
  EXPECT_EQ(c.lis[0].protocol, WireProtocol::Hl7);
  EXPECT_EQ(std::get<TcpClientTransport>(c.lis[0].transport).host, "127.0.0.1");
  EXPECT_EQ(std::get<TcpClientTransport>(c.lis[0].transport).port, 5100);
  EXPECT_EQ(c.lis[0].mapping_file, std::filesystem::path("/etc/hemalink/lis/example-lis.json"));
  EXPECT_TRUE(c.lis[0].takes("xn-1")) << "no analyzers listed: every analyzer";
  EXPECT_EQ(c.spool_dir, std::filesystem::path("/etc/hemalink/../var/spool"));
}

TEST(DaemonConfig, AnAnalyzersBaseIsAShippedTableOrNone) {
  const auto c = config_of(R"({"database": {"url": "postgresql:///x"}, "analyzers": [
      {"name": "bc", "driver": "generic-hl7", "protocol": "hl7", "base": "loinc-cbc",
       "transport": {"type": "tcp-server", "port": 5004}},
      {"name": "chem", "driver": "generic-hl7", "protocol": "hl7", "mappings": "chem.json",
       "transport": {"type": "tcp-server", "port": 5005}},
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm", "base": "none",
       "transport": {"type": "tcp-server", "port": 5001}}]})");
  ASSERT_EQ(c.analyzers.size(), 3U);
  EXPECT_EQ(c.analyzers[0].base, "loinc-cbc");
  EXPECT_EQ(c.analyzers[1].base, std::nullopt) << "none given: the driver's (none for generic-hl7)";
  EXPECT_EQ(c.analyzers[1].mappings_file, std::filesystem::path("/etc/hemalink/chem.json"));
  EXPECT_EQ(c.analyzers[2].base, "none");

  const auto errors = errors_of(with_analyzer(
      R"({"name": "h", "driver": "generic-hl7", "protocol": "hl7", "base": "generic-hl7",
          "transport": {"type": "tcp-server", "port": 5004}},
         {"name": "i", "driver": "generic-hl7", "protocol": "hl7", "base": ["loinc-cbc"],
          "transport": {"type": "tcp-server", "port": 5005}})"));
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "analyzers[0].base: unknown mapping table \"generic-hl7\" (known: bd-facs, "
                        "loinc-cbc, loinc-lymphocyte-subsets, sysmex-cs, sysmex-xn, none)",
                        "analyzers[1].base: expected a string, got [\"loinc-cbc\"]"}));
}

TEST(DaemonConfig, TheEnvironmentOverridesTheDatabaseUrl) {
  const auto c =
      config_of(with_analyzer(R"({"name": "a", "driver": "generic-hl7", "protocol": "hl7",
                        "transport": {"type": "tcp-server", "port": 5004}})"),
                "postgresql://other/db");
  EXPECT_EQ(c.database_url, "postgresql://other/db");
}

TEST(DaemonConfig, EveryErrorIsReportedWithItsPath) {
  const auto errors = errors_of(R"({
    "database": {"url": "postgresql:///x", "pool": 3},
    "logging": {"level": "loud"},
    "analyzers": [
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5001}},
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5001}},
      {"name": "cs", "driver": "sysmex-cs", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": "x"}},
      {"name": "h", "driver": "generic-hl7", "protocol": "astm", "link": "bare",
       "transport": {"type": "serial", "device": "/dev/ttyS0", "baud": 9601, "parity": "mark"},
       "allowed_peers": ["10.0.0.0/33", "localhost"]},
      {"name": "bad name!", "driver": "sysmex-xp", "protocol": "hl7",
       "transport": {"type": "pigeon", "port": 1}},
      {"name": "f", "driver": "bd-facs", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5003}}
    ]})");
  const std::vector<std::string> expected = {
      "database.pool: unknown key",
      "logging.level: expected \"trace\", \"debug\", \"info\", \"warn\" or \"error\", got \"loud\"",
      "analyzers[2].transport.port: expected an integer 0-65535, got \"x\"",
      "analyzers[3].transport.baud: expected one of 1200, 2400, 4800, 9600, 19200, 38400, "
      "57600, 115200, got 9601",
      "analyzers[3].transport.parity: expected \"none\", \"even\" or \"odd\", got \"mark\"",
      "analyzers[3].allowed_peers[0]: expected an IP address or CIDR block, got \"10.0.0.0/33\"",
      "analyzers[3].allowed_peers[1]: expected an IP address or CIDR block, got \"localhost\"",
      "analyzers[3].protocol: generic-hl7 reads HL7: expected \"hl7\"",
      "analyzers[4].name: expected letters, digits, '-', '_' or '.' (at most 64), got \"bad "
      "name!\"",
      "analyzers[4].transport.type: expected \"tcp-server\", \"tcp-client\", \"serial\" or "
      "\"file-drop\", got \"pigeon\"",
      "analyzers[4].driver: unknown driver \"sysmex-xp\" (known: sysmex-xn, sysmex-cs, bd-facs, "
      "generic-astm, generic-hl7)",
      "analyzers[5].driver: bd-facs reads export files: use protocol \"export\" with a file-drop "
      "transport",
      "analyzers[1].name: \"xn\" is already the name of analyzers[0]",
      "analyzers[1].transport.port: 5001 is already used by analyzers[0]",
  };
  EXPECT_EQ(errors, expected);
}

TEST(DaemonConfig, RequiredFieldsAndWrongShapesAreNamed) {
  EXPECT_EQ(errors_of("[]"), (std::vector<std::string>{"(top level): expected an object, got []"}));
  EXPECT_EQ(errors_of("{"), (std::vector<std::string>{errors_of("{").front()}));
  EXPECT_TRUE(errors_of("{").front().starts_with("not JSON: "));
  EXPECT_EQ(
      errors_of(R"({"analyzers": [{}]})"),
      (std::vector<std::string>{"database: required", "analyzers[0].name: required",
                                "analyzers[0].driver: required", "analyzers[0].protocol: required",
                                "analyzers[0].transport: required"}));
  EXPECT_EQ(errors_of(R"({"database": {}, "analyzers": []})"),
            (std::vector<std::string>{
                "database.url: required (or set HEMALINK_DATABASE_URL in the environment)"}));
}

TEST(DaemonConfig, TransportsReadEveryOption) {
  const auto c = config_of(with_analyzer(R"(
      {"name": "a", "driver": "sysmex-xn", "protocol": "astm", "link": "bare",
       "transport": {"type": "serial", "device": "/dev/ttyUSB0", "baud": 19200, "data_bits": 7,
                     "parity": "even", "stop_bits": 2, "flow_control": "hardware"}},
      {"name": "b", "driver": "generic-astm", "protocol": "astm",
       "transport": {"type": "tcp-client", "host": "10.1.2.3", "port": 4000,
                     "reconnect_min_ms": 500, "reconnect_max_ms": 60000}})"));
  ASSERT_EQ(c.analyzers.size(), 2U);
  const auto& serial = std::get<SerialTransport>(c.analyzers[0].transport);
  EXPECT_EQ(serial.device, "/dev/ttyUSB0");
  EXPECT_EQ(serial.baud, 19200U);
  EXPECT_EQ(serial.data_bits, 7U);
  EXPECT_EQ(serial.parity, Parity::Even);
  EXPECT_EQ(serial.stop_bits, 2U);
  EXPECT_EQ(serial.flow_control, FlowControl::Hardware);
  EXPECT_EQ(c.analyzers[0].link, AstmLink::Bare);
  const auto& client = std::get<TcpClientTransport>(c.analyzers[1].transport);
  EXPECT_EQ(client.host, "10.1.2.3");
  EXPECT_EQ(client.reconnect_min, std::chrono::milliseconds(500));
  EXPECT_EQ(client.reconnect_max, std::chrono::milliseconds(60000));
}

std::string with_lis(const std::string& lis) {
  return R"({"database": {"url": "postgresql:///x", "migrate_at_start": true},
             "analyzers": [{"name": "xn-1", "driver": "sysmex-xn", "protocol": "astm",
                            "transport": {"type": "tcp-server", "port": 5001}},
                           {"name": "cs-1", "driver": "sysmex-cs", "protocol": "astm",
                            "transport": {"type": "tcp-server", "port": 5002}}],
             "lis": )" +
         lis + "}";
}

TEST(DaemonConfig, LisDestinationsReadEveryKey) {
  const auto c = config_of(with_lis(R"([
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
       "transport": {"type": "serial", "device": "/dev/ttyS1", "baud": 9600}}])"));
  ASSERT_EQ(c.lis.size(), 3U);
  const auto& a = c.lis[0];
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
  const auto& b = c.lis[1];
  EXPECT_EQ(b.protocol, WireProtocol::Astm);
  EXPECT_EQ(std::get<TcpServerTransport>(b.transport).port, 5200);
  EXPECT_EQ(b.allowed_peers, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_FALSE(b.tcp_keepalive);
  EXPECT_TRUE(b.takes("cs-1"));
  EXPECT_EQ(std::get<SerialTransport>(c.lis[2].transport).device, "/dev/ttyS1");
}

TEST(DaemonConfig, LisErrorsNameTheirPath) {
  EXPECT_EQ(errors_of(with_lis(R"({"host": "127.0.0.1", "port": 5100})")).size(), 1U);
  EXPECT_TRUE(errors_of(with_lis(R"({"host": "127.0.0.1", "port": 5100})"))[0].starts_with(
      "lis: expected a list of destinations"));
  const auto errors = errors_of(with_lis(R"([
      {"name": "lis", "protocol": "fhir", "transport": {"type": "file-drop", "folder": "x"},
       "analyzers": ["xn-9"], "processing_id": "X", "ack_timeout_ms": 5, "max_attempts": 0,
       "backoff_min_ms": 500, "backoff_max_ms": 100, "colour": "red"},
      {"name": "lis", "protocol": "hl7", "transport": {"type": "tcp-client", "port": 1}}])"));
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
}  // namespace hemalink::config
