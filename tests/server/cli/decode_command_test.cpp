#include "server/cli/decode_command.hpp"

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/command_runs.hpp"
#include "tests/support/corpus.hpp"

namespace hemalink::cli {
namespace {

using nlohmann::json;

const std::filesystem::path kFixtures =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/fixtures";

testing::CommandRun decode(const std::vector<std::string>& args) {
  return testing::run_command_line("decode", args);
}

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / ("hemalink-test-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(DecodeCommand, PrintsRecordsAndFieldsAsOnTheWire) {
  auto run = decode({(kFixtures / "astm/xn-cbc-session.astm").string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "") << "a clean session needs no warning";
  auto doc = json::parse(run.out);
  EXPECT_EQ(doc["protocol"], "astm");
  ASSERT_EQ(doc["messages"].size(), 1u);
  const auto& records = doc["messages"][0]["records"];
  ASSERT_EQ(records.size(), 10u);
  EXPECT_EQ(records[0]["type"], "H");
  EXPECT_EQ(records[0]["fields"][0], "H");
  EXPECT_EQ(records[0]["fields"][1], "\\^&");
  EXPECT_EQ(records[3]["fields"], json::array({"R", "1", "^^^^WBC^1", "5.60", "10*3/uL", "", "N",
                                               "", "F", "", "", "", "20260101101500"}));
  EXPECT_EQ(records[8]["fields"][3], "Sample comment with an escaped &F& delimiter");
}

TEST(DecodeCommand, ReassemblesEtbFramesAndBareRecords) {
  auto split = decode({(kFixtures / "astm/xn-etb-split-session.astm").string()});
  ASSERT_EQ(split.status, 0) << split.err;
  auto doc = json::parse(split.out);
  EXPECT_EQ(doc["messages"][0]["records"][1]["fields"][4].get<std::string>().size(), 319u);
  auto bare = decode({(kFixtures / "astm/bare-two-messages.astm").string()});
  ASSERT_EQ(bare.status, 0) << bare.err;
  EXPECT_EQ(json::parse(bare.out)["messages"].size(), 2u);
}

TEST(DecodeCommand, DecodesMllpAndBareHl7Alike) {
  auto framed = decode({(kFixtures / "hl7/oru-r01-cbc.mllp").string()});
  ASSERT_EQ(framed.status, 0) << framed.err;
  auto doc = json::parse(framed.out);
  EXPECT_EQ(doc["protocol"], "hl7");
  ASSERT_EQ(doc["messages"].size(), 2u);
  const auto& msh = doc["messages"][0]["records"][0]["fields"];
  EXPECT_EQ(msh[0], "MSH");
  EXPECT_EQ(msh[1], "|");
  EXPECT_EQ(msh[2], "^~\\&");
  EXPECT_EQ(msh[10], "MSG0001");
  EXPECT_EQ(doc["messages"][1]["records"][0]["fields"][10], "MSG0002");
  EXPECT_EQ(doc["messages"][0]["records"][5]["fields"][5],
            "Platelets \\T\\ clumps \\F\\ check smear");
  EXPECT_EQ(doc["messages"][0]["records"][6]["fields"][3], "Caf\xC3\xA9 au lait");
  auto bare = decode({"--protocol", "hl7", (kFixtures / "hl7/oru-r01-cbc.hl7").string()});
  ASSERT_EQ(bare.status, 0) << bare.err;
  EXPECT_EQ(json::parse(bare.out)["messages"][0], doc["messages"][0]);
}

TEST(DecodeCommand, NamesFileMessageRecordAndOffsetOfMalformedInput) {
  auto path = write_temp("bad.hl7", "MSH|^~\\&|A||||||ORU^R01|1|P|2.5\rPID|1\rO|bad\r");
  auto run = decode({path.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(path.string()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("message 1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("segment 3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("byte 38"), std::string::npos) << run.err;

  auto astm = write_temp("bad.astm", "H|\\^&\rP|1\r1R|x\rL|1\r");
  run = decode({astm.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("message 1: record 3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("byte 10"), std::string::npos) << run.err;
}

TEST(DecodeCommand, RefusesABadChecksum) {
  std::string session = testing::read_file(kFixtures / "astm/xn-cbc-session.astm");
  session[session.find("5.60")] = '6';
  auto path = write_temp("badcs.astm", session);
  auto run = decode({path.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("checksum"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("message 1"), std::string::npos) << run.err;
}

TEST(DecodeCommand, ReportsLeniencyAsWarnings) {
  HL_REQUIRE_CORPUS();
  auto run = decode({(*testing::corpus_dir() / "astm/roche-cobas-e411-immuno-01.astm").string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("warning: checksum matched only with LF read as CR"), std::string::npos)
      << run.err;
  auto strict = decode(
      {"--strict", (*testing::corpus_dir() / "astm/roche-cobas-e411-immuno-01.astm").string()});
  EXPECT_EQ(strict.status, 2);
}

// What the order and result listeners accept, decode accepts too, naming each leniency and where;
// --strict refuses it, naming the same thing.
const std::string kBom = "\xEF\xBB\xBF";
const std::string kOrm =
    "MSH|^~\\&|LIS|HOSP|HEMALINK|LAB|20261207||ORM^O01|C-1|P|2.3.1\rPID|1||P-1\r"
    "ORC|NW|PL-1\rOBR|1|PL-1|S-1|FBC\r";

TEST(DecodeCommand, SkipsAByteOrderMarkBeforeMshAsTheListenersDo) {
  for (const auto& [name, content, offset] :
       {std::tuple{"bom.hl7", kBom + kOrm, 0},
        std::tuple{"bom.mllp", "\x0b" + kBom + kOrm + "\x1c\r", 1}}) {
    const auto path = write_temp(name, content);
    auto run = decode({path.string()});
    ASSERT_EQ(run.status, 0) << name << ": " << run.err;
    const auto leniency = "a UTF-8 byte-order mark before MSH was skipped (message 1, offset " +
                          std::to_string(offset) + ")";
    EXPECT_NE(run.err.find(path.string() + ": leniency: " + leniency), std::string::npos)
        << run.err;
    const auto doc = json::parse(run.out);
    EXPECT_EQ(doc["messages"][0]["records"][0]["fields"][10], "C-1");
    EXPECT_EQ(doc["leniencies"], json::array({leniency}));
    auto strict = decode({"--strict", path.string()});
    EXPECT_EQ(strict.status, 2) << name;
    EXPECT_EQ(strict.out, "");
    EXPECT_NE(strict.err.find("message 1: a UTF-8 byte-order mark before MSH"), std::string::npos)
        << strict.err;
    EXPECT_NE(strict.err.find("--strict refuses it (byte " + std::to_string(offset) + ":"),
              std::string::npos)
        << strict.err;
  }
}

TEST(DecodeCommand, IgnoresAStartBlockAfterTheLastEndBlockAsTheListenersDo) {
  const std::string framed = "\x0b" + kOrm + "\x1c\r";
  const auto path = write_temp("trailing-vt.mllp", framed + "\x0b");
  auto run = decode({path.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto leniency = "an MLLP start block (VT) with no message after it was ignored (offset " +
                        std::to_string(framed.size()) + ")";
  EXPECT_NE(run.err.find("leniency: " + leniency), std::string::npos) << run.err;
  EXPECT_EQ(json::parse(run.out)["messages"].size(), 1u);
  auto strict = decode({"--strict", path.string()});
  EXPECT_EQ(strict.status, 2);
  EXPECT_NE(strict.err.find("an MLLP start block (VT) with no message after it"), std::string::npos)
      << strict.err;
  EXPECT_NE(strict.err.find("(byte " + std::to_string(framed.size())), std::string::npos)
      << strict.err;
  auto clean = decode({write_temp("framed.mllp", framed).string()});
  ASSERT_EQ(clean.status, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
  EXPECT_FALSE(json::parse(clean.out).contains("leniencies"));
}

TEST(DecodeCommand, UsageErrorsExitWithTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{}, "FILE is required"},
      {{"--protocol", "xml", "f"}, "--protocol: xml not in {astm,hl7,auto}"},
      {{"--charset", "ebcdic", "f"}, "--charset: ebcdic not in {latin1,"},
      {{"--bogus", "f"}, "The following argument was not expected: --bogus"},
      {{"a", "b"}, "The following argument was not expected: b"},
      {{"--base", "loinc-cbc", "f"}, "--base requires --driver"},
  };
  for (const auto& [args, complaint] : refused) {
    const auto run = decode(args);
    EXPECT_EQ(run.status, 2) << complaint;
    EXPECT_NE(run.err.find("hemalink decode: " + complaint), std::string::npos) << run.err;
  }
  auto missing = decode({"/nonexistent/capture.astm"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("/nonexistent/capture.astm"), std::string::npos);
}

TEST(DecodeCommand, RefusesContentThatIsNeitherProtocol) {
  auto path = write_temp("neither.txt", "hello world\n");
  auto run = decode({path.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("neither ASTM"), std::string::npos) << run.err;
  // Forcing the wrong protocol names what was expected.
  auto forced = decode({"--protocol", "hl7", (kFixtures / "astm/bare-two-messages.astm").string()});
  EXPECT_EQ(forced.status, 2);
  EXPECT_NE(forced.err.find("expected MSH"), std::string::npos) << forced.err;
}

TEST(DecodeCommand, AddsResultSetsWithADriver) {
  auto run = decode({"--driver", "sysmex-xn", (kFixtures / "astm/xn-cbc-session.astm").string()});
  ASSERT_EQ(run.status, 0) << run.err;
  auto doc = json::parse(run.out);
  ASSERT_EQ(doc["messages"].size(), 1u);
  ASSERT_EQ(doc["results"].size(), 1u);
  const auto& set = doc["results"][0];
  EXPECT_EQ(set["specimen_id"], "SMP-0001");
  EXPECT_EQ(set["observations"][3]["code"], "PLT");
  EXPECT_EQ(set["observations"][3]["abnormal_flag"], "LL");
  EXPECT_EQ(set["specimen_flags"][0]["name"], "PLT_Clumps?");
  EXPECT_EQ(set["specimen_flags"][0]["positive"], true);
  EXPECT_EQ(set["comments"][0], "Sample comment with an escaped | delimiter");
}

TEST(DecodeCommand, AppliesTheLabsMappingOverrides) {
  auto mappings = write_temp("lab.json", R"({"codes": {"WBC": {"code": "LEUKO"}}})");
  auto run = decode({"--driver", "sysmex-xn", "--mappings", mappings.string(),
                     (kFixtures / "astm/xn-cbc-session.astm").string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(json::parse(run.out)["results"][0]["observations"][0]["code"], "LEUKO");
  auto bad = write_temp("bad.json", R"({"codes": {"WBC": {"decimals": -1}}})");
  auto refused = decode({"--driver", "sysmex-xn", "--mappings", bad.string(),
                         (kFixtures / "astm/xn-cbc-session.astm").string()});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find(R"(codes["WBC"].decimals)"), std::string::npos) << refused.err;
}

// generic-hl7 has no table of its own: LOINC-coded results are mapped only from a base named.
TEST(DecodeCommand, AGenericDriverMapsOnlyWhatItsBaseAndFileName) {
  const auto cbc = (kFixtures / "hl7/oru-r01-cbc.hl7").string();
  auto bare = decode({"--driver", "generic-hl7", cbc});
  ASSERT_EQ(bare.status, 0) << bare.err;
  const auto unmapped = json::parse(bare.out);
  for (const auto& o : unmapped["results"][0]["observations"]) {
    EXPECT_EQ(o["unmapped"], true) << o.dump() << ": kept, unmapped";
  }
  EXPECT_NE(bare.err.find("6690-2: code not in the mapping table"), std::string::npos) << bare.err;

  auto based = decode({"--driver", "generic-hl7", "--base", "loinc-cbc", cbc});
  ASSERT_EQ(based.status, 0) << based.err;
  const auto mapped = json::parse(based.out);
  const auto& wbc = mapped["results"][0]["observations"][0];
  EXPECT_EQ(wbc["code"], "WBC");
  EXPECT_EQ(wbc["unmapped"], false);

  auto unknown = decode({"--driver", "generic-hl7", "--base", "loinc", cbc});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("base: unknown mapping table \"loinc\" (known: bd-facs, loinc-cbc"),
            std::string::npos)
      << unknown.err;
}

TEST(DecodeCommand, RefusesAnUnknownDriverOrTheWrongProtocol) {
  auto unknown = decode({"--driver", "abbott-ruby", (kFixtures / "hl7/oru-r01-cbc.hl7").string()});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("--driver: abbott-ruby not in {sysmex-xn,"), std::string::npos)
      << unknown.err;
  auto wrong = decode({"--driver", "sysmex-xn", (kFixtures / "hl7/oru-r01-cbc.hl7").string()});
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("driver sysmex-xn does not read HL7 messages"), std::string::npos)
      << wrong.err;
}

int run_binary(const std::string& args) {
  const std::string command = std::string(HEMALINK_BINARY) + " " + args + " >/dev/null 2>&1";
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

TEST(HemalinkBinary, AnswersVersionAndRefusesUnknownCommands) {
  EXPECT_EQ(run_binary("version"), 0);
  EXPECT_EQ(run_binary("frobnicate"), 2);
  EXPECT_EQ(run_binary(""), 2);
  EXPECT_EQ(run_binary("decode " + (kFixtures / "hl7/oru-r01-cbc.hl7").string()), 0);
}

}  // namespace
}  // namespace hemalink::cli
