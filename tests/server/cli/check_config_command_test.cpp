#include "server/cli/check_config_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run check(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_check_config(args, out, err);
  return {status, out.str(), err.str()};
}

class CheckConfig : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  testing::TempDir dir_{"check-config"};
};

TEST_F(CheckConfig, TheExampleConfigurationIsValid) {
  const auto example =
      (std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "hemalink.example.json").string();
  const auto run = check({example});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("ok: 5 analyzers: xn-1 (sysmex-xn, astm), cs-1 (sysmex-cs, astm), "
                         "facs-1 (bd-facs, export), facs-lis (generic-hl7, hl7), "
                         "hl7-1 (generic-hl7, hl7); 1 LIS destination: lis (hl7)"),
            std::string::npos)
      << run.out;
}

TEST_F(CheckConfig, ReportsEveryErrorWithTheFileAndExits2) {
  const auto mappings = write("xn-overrides.json", R"({"codes": {"WBC": {"decimals": "x"}}})");
  const auto file = write("bad.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm", "mappings": "xn-overrides.json",
       "transport": {"type": "tcp-server", "port": 5001}},
      {"name": "cs", "driver": "sysmex-cs", "protocol": "astm", "mappings": "missing.json",
       "transport": {"type": "tcp-server", "port": 5002}}]})");
  const auto run = check({file});
  EXPECT_EQ(run.status, 2);
  // An error inside the mappings file names that file and the JSON path in it.
  EXPECT_NE(
      run.err.find(mappings + ": codes[\"WBC\"].decimals: expected an integer 0-9, got \"x\""),
      std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ": analyzers[1].mappings: cannot read "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ": 2 errors"), std::string::npos) << run.err;
}

TEST_F(CheckConfig, LoadsTheLisMappingsAndNamesTheirErrors) {
  const auto bad = write("lis-bad.json", R"({"codes": {"HGB": {"code": "HB", "factor": 10}}})");
  const auto file = write("lis.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [{"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
                   "transport": {"type": "tcp-server", "port": 5001}}],
    "lis": [{"name": "a", "protocol": "hl7", "mapping": "lis-bad.json",
             "transport": {"type": "tcp-client", "host": "127.0.0.1", "port": 5100}},
            {"name": "b", "protocol": "astm", "mapping": "missing.json",
             "transport": {"type": "tcp-client", "host": "127.0.0.1", "port": 5101}}]})");
  const auto run = check({file});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(bad + ": codes[\"HGB\"].factor: a factor converts to the LIS's units: "
                               "give \"units\" too"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ": lis[1].mapping: cannot read "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(file + ": 2 errors"), std::string::npos) << run.err;
}

TEST_F(CheckConfig, NamesTheErrorsOfTheQcSectionAndOfTheControlDefinitions) {
  const auto bad_section = write("qc-section.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [{"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
                   "transport": {"type": "tcp-server", "port": 5001}}],
    "qc": {"interval_hours": 0, "gate_holds": ["out", "maybe"], "establish": 20}})");
  auto run = check({bad_section});
  EXPECT_EQ(run.status, 2);
  for (const auto* expected : {
           ": qc.interval_hours: expected an integer 1-744, got 0",
           ": qc.gate_holds[1]: expected \"out\" or \"unknown\", got \"maybe\"",
           ": qc.establish: unknown key",
       }) {
    EXPECT_NE(run.err.find(bad_section + expected), std::string::npos) << run.err;
  }

  const auto controls = write("controls.json", R"({"controls": [
    {"analyzer": "xn-9", "test": "WBC", "level": "1", "mean": 7.0, "sd": 0.2},
    {"analyzer": "xn", "test": "HGB", "level": "1", "mean": 13.0}]})");
  const auto file = write("qc.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [{"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
                   "transport": {"type": "tcp-server", "port": 5001}}],
    "qc": {"controls_file": "controls.json"}})");
  run = check({file});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(controls + ":3:5: controls[1]: mean given without sd"), std::string::npos)
      << run.err;
  const auto fixed = write("controls.json", R"({"controls": [
    {"analyzer": "xn-9", "test": "WBC", "level": "1", "mean": 7.0, "sd": 0.2}]})");
  run = check({file});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(fixed + ": controls[0].analyzer: no analyzer \"xn-9\" in the "
                                 "configuration"),
            std::string::npos)
      << run.err;
}

TEST_F(CheckConfig, UsageAndUnreadableFilesExit2) {
  EXPECT_EQ(check({}).status, 2);
  EXPECT_EQ(check({"--verbose"}).status, 2);
  const auto run = check({(dir_ / "nothing.json").string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("cannot read the file"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::cli
