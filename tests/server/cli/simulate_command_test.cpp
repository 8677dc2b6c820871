// `hemalink simulate`'s QC and lab-day options: what they need is refused, before any
// connection, with the option named and exit code 2.
#include "server/cli/simulate_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace hemalink::cli {
namespace {

// The first line of what `simulate` says about `options` (after the common ones), and its code.
std::pair<int, std::string> refusal(const std::vector<std::string>& options) {
  std::vector<std::string> args = {"--to", "127.0.0.1:9", "--generate", "cbc"};
  args.insert(args.end(), options.begin(), options.end());
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_simulate(args, out, err);
  const auto text = err.str();
  return {status, text.substr(0, text.find('\n'))};
}

TEST(SimulateCommand, TheQcOptionsAreCheckedBeforeAnythingIsSent) {
  EXPECT_EQ(refusal({"--protocol", "hl7", "--qc-every", "10"}),
            std::make_pair(2, std::string("hemalink simulate: --qc-every: the simulated XN "
                                          "sends its QC with --generate cbc --protocol astm")));
  EXPECT_EQ(refusal({"--protocol", "astm", "--qc-every", "0"}),
            std::make_pair(2, std::string("hemalink simulate: --qc-every: expected a number of "
                                          "patients, got \"0\"")));
  EXPECT_EQ(refusal({"--protocol", "astm", "--qc-fail-run", "2"}),
            std::make_pair(2, std::string("hemalink simulate: --qc-fail-run and --mcv-shift "
                                          "need --qc-every")));
  EXPECT_EQ(
      refusal({"--protocol", "astm", "--count", "20", "--qc-every", "10", "--qc-fail-run", "4"}),
      std::make_pair(2, std::string("hemalink simulate: --qc-fail-run: there are 3 "
                                    "control runs")));
  EXPECT_EQ(refusal({"--protocol", "astm", "--qc-every", "10", "--connections", "2"}),
            std::make_pair(2, std::string("hemalink simulate: --qc-every: one connection, so "
                                          "controls and patients arrive in order")));
  EXPECT_EQ(refusal({"--protocol", "astm", "--qc-every", "10", "--mcv-shift", "-60"}),
            std::make_pair(2, std::string("hemalink simulate: --mcv-shift: expected a per cent "
                                          "above -50, got \"-60\"")));
}

std::pair<int, std::string> lab_day_refusal(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_simulate(args, out, err);
  const auto text = err.str();
  return {status, text.substr(0, text.find('\n'))};
}

TEST(SimulateCommand, ALabDayNeedsAConfigurationAndSaysWhatIsWrongWithIt) {
  EXPECT_EQ(lab_day_refusal({"--lab-day", "200"}),
            std::make_pair(2, std::string("hemalink simulate: --lab-day needs --config FILE: the "
                                          "analyzers to play are the configuration's")));
  EXPECT_EQ(lab_day_refusal({"--lab-day", "0", "--config", "x.json"}),
            std::make_pair(2, std::string("hemalink simulate: --lab-day: expected a number of "
                                          "specimens, got \"0\"")));
  EXPECT_EQ(lab_day_refusal({"--lab-day", "20", "--config", "x.json", "--profile", "icu"}),
            std::make_pair(2, std::string("hemalink simulate: --profile: expected hospital, "
                                          "outpatient or oncology, got \"icu\"")));
  const auto missing = lab_day_refusal({"--lab-day", "20", "--config", "/nonexistent/x.json"});
  EXPECT_EQ(missing.first, 2);
  EXPECT_NE(missing.second.find("/nonexistent/x.json"), std::string::npos) << missing.second;
}

}  // namespace
}  // namespace hemalink::cli
