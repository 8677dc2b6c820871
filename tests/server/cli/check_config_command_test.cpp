#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/config/mapping_json.hpp"
#include "tests/support/command_runs.hpp"
#include "tests/support/temp_dir.hpp"

namespace hemalink::cli {
namespace {

testing::CommandRun check(const std::vector<std::string>& args) {
  return testing::run_command_line("check-config", args);
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
  EXPECT_NE(run.out.find("ok: 6 analyzers: xn-1 (sysmex-xn, astm), cs-1 (sysmex-cs, astm), "
                         "facs-1 (bd-facs, export), facs-lis (generic-hl7, hl7), "
                         "hl7-1 (generic-hl7, hl7), cs-hl7 (generic-hl7, hl7); "
                         "1 LIS destination: lis (hl7)"),
            std::string::npos)
      << run.out;
  const auto explained = check({"--explain", example});
  EXPECT_EQ(explained.status, 0) << explained.err;
  for (const auto* table : {"\nfacs-lis (generic-hl7): base loinc-lymphocyte-subsets, file none: ",
                            "\nhl7-1 (generic-hl7): base loinc-cbc, file none: ",
                            "\nxn-1 (sysmex-xn): base sysmex-xn, file none: "}) {
    EXPECT_NE(explained.out.find(table), std::string::npos) << explained.out;
  }
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
  const auto no_file = check({"--explain"});
  EXPECT_EQ(no_file.status, 2);
  EXPECT_EQ(no_file.err.rfind("hemalink check-config: FILE is required\n", 0), 0u) << no_file.err;
  const auto unknown = check({"--verbose", "a.json"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("not expected: --verbose"), std::string::npos) << unknown.err;
  const auto two = check({"--explain", "a.json", "b.json"});
  EXPECT_EQ(two.status, 2);
  EXPECT_NE(two.err.find("not expected: b.json"), std::string::npos) << two.err;
  const auto run = check({(dir_ / "nothing.json").string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("cannot read the file"), std::string::npos);
}

// The lines of one analyzer's table in --explain's output: its heading, then each entry's columns.
struct Explained {
  std::string heading;
  std::vector<std::vector<std::string>>
      rows;  // code, analyzer code, order code, LOINC, units, from

  const std::vector<std::string>* row(const std::string& analyzer_code) const {
    for (const auto& r : rows) {
      if (r.size() > 1 && r[1] == analyzer_code) {
        return &r;
      }
    }
    return nullptr;
  }
};

Explained explained(const std::string& out, const std::string& analyzer) {
  Explained e;
  std::istringstream lines(out);
  std::string line;
  bool in_section = false;
  while (std::getline(lines, line)) {
    if (line.starts_with(analyzer + " (")) {
      e.heading = line;
      in_section = true;
    } else if (in_section && line.starts_with("  ")) {
      std::istringstream words(line);
      std::vector<std::string> row;
      for (std::string word; words >> word;) {
        row.push_back(word);
      }
      e.rows.push_back(std::move(row));
    } else {
      in_section = false;
    }
  }
  return e;
}

TEST_F(CheckConfig, ExplainListsEachAnalyzersTableAndWhereEachEntryComesFrom) {
  const auto bc_file = write("bc.json", R"({"codes": {
      "6690-2": {"code": "WBC", "loinc": "6690-2", "units": "10*9/L"},
      "08001": {"code": "TAKE_MODE"}}})");
  const auto chem_file = write("chem.json", R"({"codes": {
      "2345-7": {"code": "GLU", "loinc": "2345-7", "units": "mg/dL"},
      "CREA": {"code": "CREA", "order_code": "CR"}}})");
  const auto file = write("lab.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [
      {"name": "bc", "driver": "generic-hl7", "protocol": "hl7", "base": "loinc-cbc",
       "mappings": "bc.json", "transport": {"type": "tcp-server", "port": 5004}},
      {"name": "chem", "driver": "generic-hl7", "protocol": "hl7", "mappings": "chem.json",
       "transport": {"type": "tcp-server", "port": 5005}},
      {"name": "bare", "driver": "generic-hl7", "protocol": "hl7",
       "transport": {"type": "tcp-server", "port": 5006}},
      {"name": "xn", "driver": "sysmex-xn", "protocol": "astm",
       "transport": {"type": "tcp-server", "port": 5001}}]})");
  const auto run = check({"--explain", file});
  ASSERT_EQ(run.status, 0) << run.err;

  const auto bc = explained(run.out, "bc");
  const auto shipped = config::shipped_mapping_table("loinc-cbc");
  ASSERT_TRUE(shipped.has_value());
  EXPECT_EQ(bc.heading, fmt::format("bc (generic-hl7): base loinc-cbc, file {}: {} entries",
                                    bc_file, shipped->size() + 1))
      << "the shipped table's entries, 6690-2 replaced, 08001 added\n"
      << run.out;
  ASSERT_NE(bc.row("6690-2"), nullptr) << run.out;
  EXPECT_EQ(*bc.row("6690-2"),
            (std::vector<std::string>{"WBC", "6690-2", "6690-2", "6690-2", "10*9/L", "file"}));
  ASSERT_NE(bc.row("718-7"), nullptr) << run.out;
  EXPECT_EQ(*bc.row("718-7"),
            (std::vector<std::string>{"HGB", "718-7", "718-7", "718-7", "-", "loinc-cbc"}));
  ASSERT_NE(bc.row("08001"), nullptr);
  EXPECT_EQ(bc.row("08001")->back(), "file");

  const auto chem = explained(run.out, "chem");
  EXPECT_EQ(chem.heading, "chem (generic-hl7): base none, file " + chem_file + ": 2 entries");
  ASSERT_EQ(chem.rows.size(), 3u) << "the column names and the two entries: no CBC\n" << run.out;
  EXPECT_EQ(chem.rows[1], (std::vector<std::string>{"CREA", "CREA", "CR", "-", "-", "file"}));
  EXPECT_EQ(chem.rows[2],
            (std::vector<std::string>{"GLU", "2345-7", "2345-7", "2345-7", "mg/dL", "file"}));

  EXPECT_EQ(explained(run.out, "bare").heading,
            "bare (generic-hl7): base none, file none: no entries: its results are kept unmapped "
            "and it is sent no work");
  const auto xn = explained(run.out, "xn");
  EXPECT_TRUE(xn.heading.starts_with("xn (sysmex-xn): base sysmex-xn, file none: ")) << run.out;
  ASSERT_NE(xn.row("Blasts?"), nullptr) << run.out;
  EXPECT_EQ((*xn.row("Blasts?"))[2], "(flag)");
  EXPECT_EQ(check({file}).out.find("loinc-cbc"), std::string::npos) << "only with --explain";
}

TEST_F(CheckConfig, AnUnknownBaseIsAnErrorNamingTheKnownTables) {
  const auto file = write("lab.json", R"({"database": {"url": "postgresql:///x"},
    "analyzers": [{"name": "bc", "driver": "generic-hl7", "protocol": "hl7", "base": "loinc",
                   "transport": {"type": "tcp-server", "port": 5004}}]})");
  const auto run = check({"--explain", file});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(
      run.err.find(file + ": analyzers[0].base: unknown mapping table \"loinc\" (known: "
                          "bd-facs, loinc-cbc, loinc-coag, loinc-lymphocyte-subsets, sysmex-cs, "
                          "sysmex-xn, none)"),
      std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace hemalink::cli
