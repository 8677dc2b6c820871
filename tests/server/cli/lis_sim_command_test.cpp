// `hemalink lis-sim` as a process: it acknowledges what it receives, refuses on demand, records
// each message as a JSON line, and prints its totals on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "protocols/common/bytes.hpp"
#include "tests/support/analyzer_socket.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

using namespace std::chrono_literals;

std::string mllp(const std::string& control_id) {
  return fmt::format(
      "\x0bMSH|^~\\&|hemalink||LIS||20261128||ORU^R01^ORU_R01|{}|P|2.5.1\rOBR|1||SP-{}\r"
      "OBX|1|NM|WBC^^L||6.1|10*9/L^^UCUM|||||F\r\x1c\r",
      control_id, control_id);
}

// The reply to one message: everything up to FS CR.
std::string reply(testing::AnalyzerSocket& s) {
  std::string out;
  while (auto c = s.read_byte(5000ms)) {
    out.push_back(*c);
    if (out.size() >= 2 && out[out.size() - 2] == ctl::kFs && out.back() == ctl::kCr) {
      break;
    }
  }
  return out;
}

TEST(LisSimCommand, AcknowledgesRefusesRecordsAndCounts) {
  testing::TempDir dir("lis-sim-command");
  testing::ChildProcess sim(
      {HEMALINK_BINARY, "lis-sim", "--listen", "127.0.0.1:0", "--protocol", "hl7", "--nack-every",
       "2", "--record", (dir / "received.jsonl").string()},
      dir / "lis-sim.log");
  std::uint16_t port = 0;
  ASSERT_TRUE(testing::wait_until(
      [&] {
        std::smatch m;
        const auto text = testing::read_file(dir / "lis-sim.log");
        const std::regex listening(R"(listening on 127\.0\.0\.1:([0-9]+))");
        if (std::regex_search(text, m, listening)) {
          port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        }
        return port != 0;
      },
      30s));
  testing::AnalyzerSocket lis(port);
  ASSERT_TRUE(lis.send(mllp("C1")));
  EXPECT_NE(reply(lis).find("MSA|AA|C1\r"), std::string::npos);
  ASSERT_TRUE(lis.send(mllp("C2")));
  EXPECT_NE(reply(lis).find("MSA|AE|C2|"), std::string::npos) << "every second one refused";
  ASSERT_TRUE(lis.send(mllp("C2")));
  EXPECT_NE(reply(lis).find("MSA|AA|C2\r"), std::string::npos);
  lis.close();
  sim.signal(SIGTERM);
  ASSERT_EQ(sim.wait(10s), 0);
  const auto log = testing::read_file(dir / "lis-sim.log");
  EXPECT_NE(log.find("received 3 message(s) on 1 connection(s): 2 acknowledged, 1 refused"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("2 distinct control ID(s), 1 duplicate(s)"), std::string::npos) << log;
  std::ifstream record(dir / "received.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(record, line);) {
    lines.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0]["control_id"], "C1");
  EXPECT_EQ(lines[0]["specimen"], "SP-C1");
  EXPECT_EQ(lines[0]["codes"][0], "WBC");
  EXPECT_EQ(lines[0]["values"][0], "6.1");
  EXPECT_EQ(lines[1]["reply"], "nack");
  EXPECT_EQ(lines[2]["duplicate"], true);
}

TEST(LisSimCommand, UsageErrorsExit2) {
  testing::TempDir dir("lis-sim-usage");
  testing::ChildProcess sim({HEMALINK_BINARY, "lis-sim", "--protocol", "fhir"},
                            dir / "lis-sim.log");
  EXPECT_EQ(sim.wait(10s), 2);
  EXPECT_NE(testing::read_file(dir / "lis-sim.log")
                .find("hemalink lis-sim: --protocol: fhir not in {hl7,astm}"),
            std::string::npos);

  testing::ChildProcess half_tls({HEMALINK_BINARY, "lis-sim", "--listen", "127.0.0.1:0",
                                  "--protocol", "hl7", "--tls-key", "lis.key"},
                                 dir / "half-tls.log");
  EXPECT_EQ(half_tls.wait(10s), 2);
  EXPECT_NE(testing::read_file(dir / "half-tls.log")
                .find("hemalink lis-sim: --tls-key requires --tls-certificate"),
            std::string::npos);

  testing::ChildProcess no_file(
      {HEMALINK_BINARY, "lis-sim", "--listen", "127.0.0.1:0", "--protocol", "hl7",
       "--tls-certificate", "none.pem", "--tls-key", "none.key"},
      dir / "no-file.log");
  EXPECT_NE(no_file.wait(10s), 0);
  EXPECT_NE(testing::read_file(dir / "no-file.log").find("none.pem"), std::string::npos)
      << "a certificate that cannot be read is named";
}

}  // namespace
}  // namespace hemalink::cli
