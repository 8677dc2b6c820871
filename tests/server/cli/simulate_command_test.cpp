// `hemalink simulate`'s QC and lab-day options: what they need is refused, before any
// connection, with the option named and exit code 2.
#include <gtest/gtest.h>

#include "tests/support/command_runs.hpp"

namespace hemalink::cli {
namespace {

// The first line of what `simulate` says about `args`, and its exit status.
std::pair<int, std::string> refusal(const std::vector<std::string>& args) {
  const auto run = testing::run_command_line("simulate", args);
  return {run.status, run.err.substr(0, run.err.find('\n'))};
}

// The same, after the options of an analyzer that sends generated CBCs.
std::pair<int, std::string> cbc_refusal(const std::vector<std::string>& options) {
  std::vector<std::string> args = {"--to", "127.0.0.1:9", "--generate", "cbc"};
  args.insert(args.end(), options.begin(), options.end());
  return refusal(args);
}

std::pair<int, std::string> refused(const std::string& complaint) {
  return {2, "hemalink simulate: " + complaint};
}

TEST(SimulateCommand, TheQcOptionsAreCheckedBeforeAnythingIsSent) {
  EXPECT_EQ(cbc_refusal({"--protocol", "hl7", "--qc-every", "10"}),
            refused("--qc-every: the simulated XN sends its QC with --generate cbc --protocol "
                    "astm"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--qc-every", "0"}),
            refused("--qc-every: expected a whole number from 1, got \"0\""));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--qc-fail-run", "2"}),
            refused("--qc-fail-run needs --qc-every (or --lab-day)"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--mcv-shift", "6"}),
            refused("--mcv-shift requires --qc-every"));
  EXPECT_EQ(cbc_refusal(
                {"--protocol", "astm", "--count", "20", "--qc-every", "10", "--qc-fail-run", "4"}),
            refused("--qc-fail-run: there are 3 control runs"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--qc-every", "10", "--connections", "2"}),
            refused("--qc-every: one connection, so controls and patients arrive in order"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--qc-every", "10", "--mcv-shift", "-60"}),
            refused("--mcv-shift: expected a number above -50 and at most 100, got \"-60\""));
}

TEST(SimulateCommand, AnAnalyzerNeedsAProtocolAPlaceToSendAndSomethingToSend) {
  EXPECT_EQ(refusal({"--to", "127.0.0.1:9", "--generate", "cbc"}),
            refused("--protocol astm or --protocol hl7 is required"));
  EXPECT_EQ(refusal({"--protocol", "astm", "--generate", "cbc"}),
            refused("one of --to, --listen or --serial is required"));
  EXPECT_EQ(refusal({"--protocol", "astm", "--to", "127.0.0.1:9"}),
            refused("--file, --generate or --download is required (or --hold alone, to keep "
                    "idle connections open)"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--listen", "127.0.0.1:9"}),
            refused("--to excludes --listen"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--file", "x.astm"}),
            refused("--file excludes --generate"));
  EXPECT_EQ(refusal({"--protocol", "astm", "--serial", "/dev/null", "--connections", "2",
                     "--generate", "cbc"}),
            refused("--serial: a serial line is one connection"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--query-first", "--download", "3"}),
            refused("--query-first excludes --download"));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--to", "localhost"}),
            refused("--to: expected HOST:PORT, got \"localhost\""));
  EXPECT_EQ(cbc_refusal({"--protocol", "astm", "--count", "-3"}),
            refused("--count: expected a whole number, got \"-3\""))
      << "not read as a huge unsigned number";
}

TEST(SimulateCommand, ALabDayNeedsAConfigurationAndSaysWhatIsWrongWithIt) {
  EXPECT_EQ(refusal({"--lab-day", "200"}), refused("--lab-day requires --config"));
  EXPECT_EQ(refusal({"--lab-day", "0", "--config", "x.json"}),
            refused("--lab-day: expected a whole number from 1, got \"0\""));
  EXPECT_EQ(refusal({"--lab-day", "20", "--config", "x.json", "--profile", "icu"}),
            refused("--profile: icu not in {hospital,outpatient,oncology}"));
  EXPECT_EQ(refusal({"--lab-day", "20", "--config", "x.json", "--to", "127.0.0.1:9"}),
            refused("--to excludes --lab-day"));
  EXPECT_EQ(refusal({"--lab-day", "20", "--config", "x.json", "--timeout", "0"}),
            refused("--timeout: a lab day needs more than 0 seconds"));
  EXPECT_EQ(refusal({"--config", "x.json"}), refused("--config requires --lab-day"));
  const auto missing = refusal({"--lab-day", "20", "--config", "/nonexistent/x.json"});
  EXPECT_EQ(missing.first, 2);
  EXPECT_NE(missing.second.find("/nonexistent/x.json"), std::string::npos) << missing.second;
}

}  // namespace
}  // namespace hemalink::cli
