// Every published capture of ../shared/corpus decodes (`hemalink decode`), with values checked
// against the file. The E1381 link alone on the framed captures:
// tests/protocols/astm/corpus_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/cli/decode_command.hpp"
#include "tests/support/corpus.hpp"

namespace hemalink::cli {
namespace {

using nlohmann::json;

json decode(const std::string& sub, const std::string& name, bool strict = false) {
  auto dir = testing::corpus_dir();
  std::vector<std::string> warnings;
  DecodeOptions options;
  options.is_strict = strict;
  auto result = decode_content(testing::read_file(*dir / sub / name), options, warnings);
  EXPECT_TRUE(result.has_value()) << name << ": " << (result ? "" : result.error().describe());
  return result ? *result : json();
}

const json& record(const json& doc, std::size_t message, std::size_t index) {
  return doc["messages"][message]["records"][index];
}

// The first record of `type` in message 0, or null.
json first(const json& doc, const std::string& type, std::size_t nth = 1) {
  for (const auto& r : doc["messages"][0]["records"]) {
    if (r["type"] == type && --nth == 0) {
      return r;
    }
  }
  return json();
}

std::size_t records(const json& doc, std::size_t message = 0) {
  return doc["messages"][message]["records"].size();
}

// Every file of the corpus folder `sub` (at least `at_least` of them) decodes as `protocol`, each
// with a message at least.
void expect_every_file_decodes(const std::string& sub, const std::string& protocol,
                               std::size_t at_least) {
  auto files = testing::corpus_files(sub);
  ASSERT_GE(files.size(), at_least);
  for (const auto& file : files) {
    std::vector<std::string> warnings;
    auto result = decode_content(testing::read_file(file), {}, warnings);
    ASSERT_TRUE(result.has_value()) << file << ": " << result.error().describe();
    EXPECT_EQ((*result)["protocol"], protocol) << file;
    EXPECT_GE((*result)["messages"].size(), 1u) << file;
  }
}

TEST(DecodeAstmCorpus, EveryFileDecodes) {
  HL_REQUIRE_CORPUS();
  expect_every_file_decodes("astm", "astm", 18);
}

TEST(DecodeAstmCorpus, SysmexXn550OneOversizeFrame) {
  HL_REQUIRE_CORPUS();
  auto doc = decode("astm", "sysmex-xn550-cbc-01.astm");
  ASSERT_EQ(doc["messages"].size(), 1u);
  EXPECT_EQ(records(doc), 48u);  // H, P, C x3, O, R x41, L
  EXPECT_EQ(record(doc, 0, 0)["fields"][1], "\\^&");
  EXPECT_EQ(record(doc, 0, 0)["fields"][4], "    XN-550^00-24^22723^^^^BD634545");
  auto wbc = first(doc, "R");
  EXPECT_EQ(wbc["fields"][2], "^^^^WBC^1");
  EXPECT_EQ(wbc["fields"][3], "8.13");
  EXPECT_EQ(wbc["fields"][4], "10*3/uL");
  EXPECT_EQ(wbc["fields"][6], "N");
  EXPECT_EQ(first(doc, "O")["fields"][3], "^^                    27^M");
  EXPECT_EQ(first(doc, "R", 38)["fields"][3], "PNG&R&20240628&R&2024_06_27_13_54_27_WDF.PNG")
      << "escapes are kept as on the wire";
  EXPECT_EQ(first(doc, "L")["fields"], json::array({"L", "1", "N"}));
}

TEST(DecodeAstmCorpus, SysmexXp100KeepsPaddedValues) {
  HL_REQUIRE_CORPUS();
  auto doc = decode("astm", "sysmex-xp100-cbc-01.astm");
  EXPECT_EQ(records(doc), 24u);
  EXPECT_EQ(first(doc, "R")["fields"][3], "  5.5");
  EXPECT_EQ(first(doc, "R")["fields"][10], std::string(15, ' '));
}

TEST(DecodeAstmCorpus, PentraFrameNumbersWrapAndDashesStay) {
  HL_REQUIRE_CORPUS();
  auto doc = decode("astm", "horiba-pentra-xlr-cbc-01.astm");
  EXPECT_EQ(records(doc), 28u);
  EXPECT_EQ(first(doc, "R", 10)["fields"][2], "^^^BAS#^704-7^1");
  EXPECT_EQ(first(doc, "R", 10)["fields"][3], "-----");
  EXPECT_EQ(first(doc, "R", 10)["fields"][6], "HH");
}

TEST(DecodeAstmCorpus, CobasE411LRecordSplitAcrossAnEtbFrame) {
  HL_REQUIRE_CORPUS();
  auto doc = decode("astm", "roche-cobas-e411-immuno-01.astm");
  EXPECT_EQ(records(doc), 6u);
  EXPECT_EQ(first(doc, "R")["fields"][3], "-1^0.325");
  EXPECT_EQ(first(doc, "O")["fields"][2], "pragya");
  EXPECT_EQ(first(doc, "L")["fields"], json::array({"L", "1", "N"}));
}

// Saved as text, LF where each record's CR was: read as a live link would, they fail (the link's
// own test of the leniency is in tests/protocols/astm/corpus_test.cpp).
TEST(DecodeAstmCorpus, CapturesWithLfForCrFailStrictDecoding) {
  HL_REQUIRE_CORPUS();
  std::vector<std::string> warnings;
  DecodeOptions strict;
  strict.is_strict = true;
  for (const char* name : {"roche-cobas-e411-immuno-01.astm", "erba-em200-query-01.astm"}) {
    auto text = testing::read_file(*testing::corpus_dir() / "astm" / name);
    EXPECT_FALSE(decode_content(text, strict, warnings).has_value()) << name;
  }
}

TEST(DecodeAstmCorpus, QueriesAndUnusualDelimiters) {
  HL_REQUIRE_CORPUS();
  auto e411 = decode("astm", "roche-cobas-e411-query-01.astm");
  EXPECT_EQ(first(e411, "Q")["fields"][2], "^^0000000387^587^0^2^^S1^SC");
  auto erba = decode("astm", "erba-em200-query-01.astm");
  EXPECT_EQ(record(erba, 0, 0)["fields"][1], "`^&") << "backtick repeat delimiter";
  EXPECT_EQ(first(erba, "Q")["fields"][2], "^010520182");
  auto h550 = decode("astm", "horiba-yumizen-h550-ctrl-01.astm");
  EXPECT_EQ(record(h550, 0, 0)["fields"][1], "\\\\^&");
  ASSERT_TRUE(h550.contains("leniencies")) << "the listeners' leniency, named";
  EXPECT_NE(h550["leniencies"][0].get<std::string>().find("repeat delimiter written twice"),
            std::string::npos);
  EXPECT_EQ(records(h550), 27u);
  EXPECT_EQ(first(h550, "R")["fields"][3], "78.4");
}

TEST(DecodeAstmCorpus, YumizenH500KeepsEveryRecordDespiteItsFrameNumbers) {
  HL_REQUIRE_CORPUS();
  auto doc = decode("astm", "horiba-yumizen-h500-ctrl-01.astm");
  ASSERT_EQ(records(doc), 31u);  // H P O C C M M M M R x21 L
  EXPECT_EQ(first(doc, "M", 2)["fields"][1], "2");
  EXPECT_EQ(first(doc, "M", 3)["fields"][2], "MATRIX");
  EXPECT_GT(first(doc, "M", 3)["fields"][6].get<std::string>().size(), 20000u);
  EXPECT_EQ(first(doc, "R")["fields"][3], "90.6");
}

TEST(DecodeAstmCorpus, StagoByteArraysEqualTheirDecodedCapture) {
  HL_REQUIRE_CORPUS();
  auto from_bytes = decode("astm", "stago-sta-satellite-max-coag-01.bytes.txt");
  auto decoded = decode("astm", "stago-sta-satellite-max-coag-01.decoded.astm", true);
  EXPECT_EQ(from_bytes, decoded);
  EXPECT_EQ(records(decoded), 31u);
  EXPECT_EQ(first(decoded, "R")["fields"][2], "^^^SPT^F^64");
  EXPECT_EQ(first(decoded, "R")["fields"][3], "14.02");
  EXPECT_EQ(first(decoded, "R", 2)["fields"][4], "INR ISI");
}

TEST(DecodeAstmCorpus, RealSessionsDecodeStrictly) {
  HL_REQUIRE_CORPUS();
  auto vitros = decode("astm", "ortho-vitros-3600-immuno-01.astm", true);
  EXPECT_EQ(records(vitros), 9u);
  EXPECT_EQ(first(vitros, "R", 2)["fields"][3], "<15");
  auto vitros2 = decode("astm", "ortho-vitros-3600-immuno-02.astm", true);
  EXPECT_EQ(records(vitros2), 16u);
}

TEST(DecodeAstmCorpus, BareRecordFiles) {
  HL_REQUIRE_CORPUS();
  auto biorad = decode("astm", "biorad-ih1000-bloodbank-01.astm");
  EXPECT_EQ(records(biorad), 12u);
  EXPECT_EQ(first(biorad, "R", 4)["fields"][3], "A^NEG^NEG^ccee^K-^NEG^^^");
  auto vision = decode("astm", "ortho-vision-bloodbank-01.astm");
  EXPECT_EQ(records(vision), 11u) << "the '# VISION' line is not a record";
  EXPECT_EQ(first(vision, "L")["fields"], json::array({"L", "", ""}));
  auto phadia = decode("astm", "phadia-prime-allergy-01.astm");
  EXPECT_EQ(records(phadia), 12u);
  EXPECT_EQ(first(phadia, "R", 2)["fields"][3], "Examine^^^^");
  auto architect = decode("astm", "abbott-architect-immuno-01.astm");
  EXPECT_EQ(first(architect, "R")["fields"][3], "< 1.20");
  auto c111 = decode("astm", "roche-cobas-c111-chem-01.astm");
  EXPECT_EQ(first(c111, "R")["fields"][3], "40.13");
  auto c311 = decode("astm", "roche-cobas-c311-chem-01.astm");
  EXPECT_EQ(records(c311), 18u);
}

TEST(DecodeHl7Corpus, EveryFileDecodes) {
  HL_REQUIRE_CORPUS();
  expect_every_file_decodes("hl7", "hl7", 8);
}

TEST(DecodeHl7Corpus, ValuesFromEachFile) {
  HL_REQUIRE_CORPUS();
  auto oul = decode("hl7", "biosystems-ba400-oul-r22-01.hl7");
  EXPECT_EQ(records(oul), 11u);
  auto msh = record(oul, 0, 0)["fields"];
  EXPECT_EQ(msh[0], "MSH");
  EXPECT_EQ(msh[1], "|");
  EXPECT_EQ(msh[2], "^~\\&");
  EXPECT_EQ(msh[9], "OUL^R22^OUL_R22");
  EXPECT_EQ(msh[18], "UNICODE UTF-8");
  EXPECT_EQ(first(oul, "SPM")["fields"][2], "XXXXX33005259");
  EXPECT_EQ(first(oul, "OBR")["fields"][2], "\"\"");

  auto oru = decode("hl7", "generic-oru-r01-01.hl7");
  EXPECT_EQ(records(oru), 4u);
  EXPECT_EQ(record(oru, 0, 0)["fields"][12], "2.4") << "the literal <cr> is not data";
  EXPECT_EQ(first(oru, "OBX")["fields"][5], "^182");
  EXPECT_EQ(first(oru, "OBX")["fields"][8], "H");

  auto mindray = decode("hl7", "mindray-bc5380-cbc-01.hl7");
  EXPECT_EQ(records(mindray), 69u);
  EXPECT_EQ(first(mindray, "OBX", 6)["fields"][3], "6690-2^WBC^LN");
  EXPECT_EQ(first(mindray, "OBX", 6)["fields"][5], "9.81");
  EXPECT_EQ(first(mindray, "PID")["fields"][5], "Joan^JIang");

  auto acks = decode("hl7", "mllp-ack-a01-01.hl7");
  ASSERT_EQ(acks["messages"].size(), 2u);
  EXPECT_EQ(records(acks, 0), 1u) << "the first ACK has no MSA";
  EXPECT_EQ(record(acks, 1, 1)["fields"], json::array({"MSA", "AA", "A234244"}));

  auto rsp = decode("hl7", "host-rsp-k11-01.hl7");
  EXPECT_EQ(records(rsp), 4u);
  EXPECT_EQ(first(rsp, "QAK")["fields"][2], "OK");
  auto ack = decode("hl7", "host-ack-r22-01.hl7");
  EXPECT_EQ(record(ack, 0, 0)["fields"][7], "20230512095812.012+0530");
  auto qc = decode("hl7", "siemens-clinitek-status-oru-qc-01.hl7");
  EXPECT_EQ(records(qc), 28u);
  EXPECT_EQ(first(qc, "OBX")["fields"][5], "Negative");
  auto qbp = decode("hl7", "biosystems-ba400-qbp-q11-02.hl7");
  EXPECT_EQ(records(qbp), 3u);
}

TEST(DecodeHl7Corpus, NonAsciiTextStaysValidUtf8) {
  HL_REQUIRE_CORPUS();
  auto mindray = decode("hl7", "mindray-bc5380-cbc-01.hl7");
  const std::string dumped = mindray.dump();
  EXPECT_NE(dumped.find("\xE2\x80\xA6"), std::string::npos) << "the ellipses of the ED fields";
}

}  // namespace
}  // namespace hemalink::cli
