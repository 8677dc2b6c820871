#include "server/daemon/daemon_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace hemalink::daemon {
namespace {

using config::AstmLink;
using config::FileDropTransport;
using config::FlowControl;
using config::Parity;
using config::SerialTransport;
using config::TcpClientTransport;
using config::TcpServerTransport;
using model::WireProtocol;

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

TEST(DaemonConfig, TheExampleIsAWorkingLab) {
  const auto dir = std::filesystem::path(HEMALINK_SOURCE_DIR) / "config";
  const auto c = config_of(read(dir / "hemalink.example.json"));
  ASSERT_EQ(c.analyzers.size(), 6U);
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
  EXPECT_EQ(c.review.comment_codes.at(".ok"), "Reviewed, consistent with previous");
  for (const char* code : {".smear", ".clot", ".called", ".rep", ".hemol", ".lip", ".qc"})
    EXPECT_EQ(c.review.comment_codes.count(code), 1U) << code;
}

TEST(DaemonConfig, CommentCodesAreReadAndABadOneIsNamedByItsCode) {
  const std::string lab = R"({"database": {"url": "postgresql:///x"}, "analyzers": [{"name": "xn",
    "driver": "sysmex-xn", "protocol": "astm", "transport": {"type": "tcp-server", "port": 5001}}],)";
  const auto c = config_of(lab + R"(
    "review": {"comment_codes": {".ok": "Reviewed, consistent with previous", ".r2": "Repeated"}}})");
  EXPECT_EQ(c.review.comment_codes,
            (std::map<std::string, std::string>{{".ok", "Reviewed, consistent with previous"},
                                                {".r2", "Repeated"}}));
  const auto errors = errors_of(lab + R"(
    "review": {"comment_codes": {"ok": "x", ".lip": "", ".n": 3, ".fine": "Fine"}, "codes": {}}})");
  ASSERT_EQ(errors.size(), 4U) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "review.comment_codes[\".lip\"]: expected the comment in words (1-500 characters)");
  EXPECT_EQ(errors[1], "review.comment_codes[\".n\"]: expected the comment as a string, got 3");
  EXPECT_EQ(errors[2],
            "review.comment_codes[\"ok\"]: expected a dot and 1-16 letters or digits (.ok), got "
            "\"ok\"");
  EXPECT_NE(errors[3].find("review.codes"), std::string::npos) << errors[3];
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
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "analyzers[0].base: unknown mapping table \"generic-hl7\" (known: bd-facs, "
                "loinc-cbc, loinc-coag, loinc-lymphocyte-subsets, sysmex-cs, sysmex-xn, none)",
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

TEST(DaemonConfig, AnAnalyzerThatIsNotAnObjectKeepsTheOthersAtTheirIndex) {
  const auto errors = errors_of(R"({
    "database": {"url": "postgresql:///x"},
    "analyzers": [
      5,
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5001}},
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5001}}
    ]})");
  const auto has = [&](const std::string& line) {
    return std::find(errors.begin(), errors.end(), line) != errors.end();
  };
  EXPECT_TRUE(has("analyzers[0]: expected an object, got 5")) << ::testing::PrintToString(errors);
  EXPECT_TRUE(has("analyzers[2].name: \"xn\" is already the name of analyzers[1]"))
      << ::testing::PrintToString(errors);
  EXPECT_TRUE(has("analyzers[2].transport.port: 5001 is already used by analyzers[1]"))
      << ::testing::PrintToString(errors);
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

}  // namespace
}  // namespace hemalink::daemon
