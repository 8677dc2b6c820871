#include "protocols/hl7/v2_ack.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::hl7 {
namespace {

const std::string kOul =
    "MSH|^~\\&|BA400|Biosystems|Host|Lab|20230512095741||OUL^R22^OUL_R22|8f75-40|P|2.5.1\r"
    "SPM|1|33005259||SER\r";

AckHeader header() {
  return {"hemalink", "LAB", "ACK-1", "20260101120000", "", ""};
}

V2Message parse_ok(const std::string& text) {
  auto m = V2Message::parse(text);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().describe());
  return std::move(m).value();
}

std::string_view at(const V2Message& m, std::string_view path) {
  return m.get(*V2Path::parse(path));
}

TEST(V2Ack, AcceptsInOriginalModeEchoingTheControlId) {
  auto original = parse_ok(kOul);
  auto context = AckContext::from(original);
  EXPECT_FALSE(context.is_enhanced_mode);
  std::string out;
  build_ack(context, ack_code(AckOutcome::Accepted, context.is_enhanced_mode), std::nullopt,
            header(), out);
  EXPECT_EQ(out,
            "MSH|^~\\&|Host|Lab|BA400|Biosystems|20260101120000||ACK^R22^ACK|ACK-1|P|2.5.1\r"
            "MSA|AA|8f75-40\r");
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSA-2"), at(original, "MSH-10"));
}

TEST(V2Ack, AnswersWithCommitCodesInEnhancedMode) {
  std::string enhanced = kOul;
  enhanced.replace(enhanced.find("2.5.1\r"), 6, "2.5.1|||AL|NE\r");
  auto context = AckContext::from(parse_ok(enhanced));
  EXPECT_TRUE(context.is_enhanced_mode);
  EXPECT_EQ(ack_code(AckOutcome::Accepted, true), AckCode::CA);
  EXPECT_EQ(ack_code(AckOutcome::Error, true), AckCode::CE);
  EXPECT_EQ(ack_code(AckOutcome::Rejected, true), AckCode::CR);
  EXPECT_EQ(ack_code(AckOutcome::Error, false), AckCode::AE);
  EXPECT_EQ(ack_code(AckOutcome::Rejected, false), AckCode::AR);
  std::string out;
  build_ack(context, ack_code(AckOutcome::Accepted, true), std::nullopt, header(), out);
  EXPECT_EQ(at(parse_ok(out), "MSA-1"), "CA");
}

TEST(V2Ack, EnhancedModeConditionsSayWhenAnAcknowledgementIsWanted) {
  EXPECT_EQ(ack_condition("AL"), AckCondition::Always);
  EXPECT_EQ(ack_condition("NE"), AckCondition::Never);
  EXPECT_EQ(ack_condition(""), AckCondition::Never);
  EXPECT_EQ(ack_condition("ER"), AckCondition::OnError);
  EXPECT_EQ(ack_condition("SU"), AckCondition::OnSuccess);
  EXPECT_EQ(ack_condition("XX"), AckCondition::Always) << "unknown: answering is safer";
  EXPECT_TRUE(is_wanted(AckCondition::OnError, AckOutcome::Error));
  EXPECT_TRUE(is_wanted(AckCondition::OnError, AckOutcome::Rejected));
  EXPECT_FALSE(is_wanted(AckCondition::OnError, AckOutcome::Accepted));
  EXPECT_TRUE(is_wanted(AckCondition::OnSuccess, AckOutcome::Accepted));
  EXPECT_FALSE(is_wanted(AckCondition::OnSuccess, AckOutcome::Error));
  EXPECT_FALSE(is_wanted(AckCondition::Never, AckOutcome::Rejected));
  std::string ba400 = kOul;
  ba400.replace(ba400.find("2.5.1\r"), 6, "2.5.1|||ER|AL\r");
  const auto context = AckContext::from(parse_ok(ba400));
  EXPECT_EQ(context.accept, AckCondition::OnError);
  EXPECT_EQ(context.application, AckCondition::Always);
  EXPECT_EQ(AckContext::from_raw(ba400).application, AckCondition::Always);
}

TEST(V2Ack, AnApplicationAcknowledgementCarriesItsOwnModesAndEveryError) {
  auto context = AckContext::from(parse_ok(kOul));
  auto h = header();
  h.accept_type = "NE";
  h.application_type = "NE";
  const std::vector<AckError> errors = {{"OBR", 1, 4, 103, "first", 'E'},
                                        {"OBR", 2, 4, 103, "second", 'E'}};
  std::string out;
  build_ack(context, AckCode::AE, errors, h, out);
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSH-15"), "NE");
  EXPECT_EQ(at(ack, "MSH-16"), "NE");
  EXPECT_EQ(at(ack, "MSA-3"), "first");
  EXPECT_EQ(at(ack, "ERR(2)-2"), "OBR^2^4");
  EXPECT_EQ(at(ack, "ERR(2)-8"), "second");
}

TEST(V2Ack, NamesTheErrorInErrForVersion25AndLater) {
  auto context = AckContext::from(parse_ok(kOul));
  std::string out;
  build_ack(context, AckCode::AE, AckError{"SPM", 1, 2, 101, "SPM-2 specimen ID is empty"},
            header(), out);
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSA-1"), "AE");
  EXPECT_EQ(at(ack, "MSA-3"), "SPM-2 specimen ID is empty");
  EXPECT_EQ(at(ack, "ERR-2"), "SPM^1^2");
  EXPECT_EQ(at(ack, "ERR-3.1"), "101");
  EXPECT_EQ(at(ack, "ERR-3.3"), "HL70357");
  EXPECT_EQ(at(ack, "ERR-4"), "E");
  EXPECT_EQ(at(ack, "ERR-8"), "SPM-2 specimen ID is empty");
}

TEST(V2Ack, UsesErr1BeforeVersion25) {
  auto context = AckContext::from(parse_ok("MSH|^~\\&|XN|LAB|||2024||ORU^R01|77|P|2.3.1\r"));
  std::string out;
  build_ack(context, AckCode::AR, AckError{"OBX", 3, 5, 102, "value not numeric"}, header(), out);
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSA-1"), "AR");
  EXPECT_EQ(at(ack, "MSA-2"), "77");
  EXPECT_EQ(at(ack, "ERR-1"), "OBX^3^5^102&value not numeric&HL70357");
  EXPECT_EQ(at(ack, "ERR-1.4.2"), "value not numeric");
}

TEST(V2Ack, AnswersAMessageThatDidNotParseFromItsRawBytes) {
  const std::string broken = "MSH|^~\\&|XN|LAB|HOST||2024||ORU^R01|CTRL9|P|2.5.1\r1BAD|x\r";
  ASSERT_FALSE(V2Message::parse(broken).has_value());
  auto context = AckContext::from_raw(broken);
  EXPECT_EQ(context.control_id, "CTRL9");
  EXPECT_EQ(context.trigger_event, "R01");
  std::string out;
  build_ack(context, AckCode::AR, AckError{"", 2, 0, 100, "segment 2: malformed"}, header(), out);
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSA-2"), "CTRL9");
  EXPECT_EQ(at(ack, "MSH-5"), "XN");
  EXPECT_EQ(at(ack, "MSH-3"), "HOST");
}

TEST(V2Ack, EchoesFieldsOfAnOriginalWithOtherDelimitersInItsOwnEncoding) {
  // Found by fuzzing: echoed fields were copied raw, so the original's delimiters (or a CR in
  // the error text) could break the ACK's own structure.
  const std::string original = "MSH#@!$%#XN@1#LAB#HOST#|#2024##ORU@R01#C|1#P#2.5.1\r";
  auto context = AckContext::from(parse_ok(original));
  std::string out;
  build_ack(context, AckCode::AE, AckError{"OBX", 1, 5, 102, "bad\rvalue"}, header(), out);
  auto ack = parse_ok(out);
  EXPECT_EQ(ack.segment_count(), 3u);
  EXPECT_EQ(at(ack, "MSH-5"), "XN^1") << "component delimiter translated";
  EXPECT_EQ(at(ack, "MSH-3"), "HOST");
  EXPECT_EQ(at(ack, "MSH-4"), "\\F\\") << "our field separator in their data is escaped";
  EXPECT_EQ(at(ack, "MSA-2"), "C\\F\\1");
  EXPECT_EQ(ack.text_at(*V2Path::parse("MSA-2")), "C|1");
  EXPECT_EQ(ack.text_at(*V2Path::parse("ERR-8")), "bad\rvalue");
}

TEST(V2Ack, AnswersEvenWhenNothingOfTheMshSurvived) {
  auto context = AckContext::from_raw("garbage");
  std::string out;
  build_ack(context, AckCode::AR, AckError{"", 1, 0, 100, "no MSH"}, header(), out);
  auto ack = parse_ok(out);
  EXPECT_EQ(at(ack, "MSH-3"), "hemalink");
  EXPECT_EQ(at(ack, "MSA-1"), "AR");
}

}  // namespace
}  // namespace hemalink::hl7
