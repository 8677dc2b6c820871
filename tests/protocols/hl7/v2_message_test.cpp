#include "protocols/hl7/v2_message.hpp"

#include <gtest/gtest.h>

#include "protocols/hl7/errc.hpp"
#include "protocols/hl7/v2_escape.hpp"
#include "protocols/hl7/v2_writer.hpp"

namespace hemalink::hl7 {
namespace {

const std::string kOru =
    "MSH|^~\\&|BC-6800|Mindray|||20241030092049||ORU^R01|5|P|2.3.1||||||UNICODE\r"
    "PID|1||12345^^^HOSP^MR~67890^^^NAT^NI||Doe^Jane||19800101|F\r"
    "OBR|1||7221044089|00001^Automated Count^99MRC\r"
    "OBX|1|NM|6690-2^WBC^LN||9.81|10*9/L|4.00-10.00|N|||F\r"
    "OBX|2|NM|751-8^NEU#^LN||7.12|10*9/L|2.00-7.00|H~N|||F\r"
    "OBX|3|ST|NOTE^Note||a \\F\\ b \\S\\ c \\T\\ d \\R\\ e \\E\\ f \\X41\\ g \\.br\\ h|||||F\r"
    "ZXT|custom&sub^two\r";

V2Message parse_ok(std::string text) {
  auto parsed = V2Message::parse(std::move(text));
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().describe());
  return std::move(parsed).value();
}

std::string_view at(const V2Message& m, std::string_view path) {
  auto p = V2Path::parse(path);
  EXPECT_TRUE(p.has_value()) << path;
  return m.get(*p);
}

TEST(V2Message, ReadsTheEncodingCharactersFromMsh) {
  auto m = parse_ok(kOru);
  EXPECT_EQ(m.encoding().field, '|');
  EXPECT_EQ(m.encoding().component, '^');
  EXPECT_EQ(m.encoding().repetition, '~');
  EXPECT_EQ(m.encoding().escape, '\\');
  EXPECT_EQ(m.encoding().subcomponent, '&');
  EXPECT_EQ(m.encoding().truncation, '\0');
  auto v27 = parse_ok("MSH|^~\\&#|A\r");
  EXPECT_EQ(v27.encoding().truncation, '#');
  auto odd = parse_ok("MSH*@!$%*APP*FAC\rOBX*1*NM*X@Y\r");
  EXPECT_EQ(at(odd, "OBX-3.2"), "Y");
  EXPECT_EQ(at(odd, "MSH-3"), "APP");
  // MSH may end right after MSH-2 (found by the fuzzer: the writer's own output did not parse).
  auto bare = parse_ok("MSH|^~\\&\rPID|1\r");
  EXPECT_EQ(bare.encoding().truncation, '\0');
  EXPECT_EQ(bare.segment_count(), 2u);
}

TEST(V2Message, NumbersMshFieldsAsHl7Does) {
  auto m = parse_ok(kOru);
  auto msh = m.segment(0);
  EXPECT_EQ(msh.id(), "MSH");
  EXPECT_EQ(msh.field(1), "|");
  EXPECT_EQ(msh.field(2), "^~\\&");
  EXPECT_EQ(msh.field(3), "BC-6800");
  EXPECT_EQ(msh.field(9), "ORU^R01");
  EXPECT_EQ(msh.field(10), "5");
  EXPECT_EQ(at(m, "MSH-1"), "|");
  EXPECT_EQ(at(m, "MSH-2"), "^~\\&") << "MSH-2 is never split";
  EXPECT_EQ(at(m, "MSH-9.2"), "R01");
  EXPECT_EQ(at(m, "MSH-18"), "UNICODE");
}

TEST(V2Message, ReadsValuesByPath) {
  auto m = parse_ok(kOru);
  EXPECT_EQ(m.segment_count(), 7u);
  EXPECT_EQ(at(m, "OBX-5"), "9.81");
  EXPECT_EQ(at(m, "OBX-3.1"), "6690-2");
  EXPECT_EQ(at(m, "OBX(2)-5"), "7.12");
  EXPECT_EQ(at(m, "OBX[2]-8(2)"), "N");
  EXPECT_EQ(at(m, "OBX(2)-8"), "H") << "repetition 1 by default";
  EXPECT_EQ(at(m, "PID-3(2).1"), "67890");
  EXPECT_EQ(at(m, "PID-3(2).5"), "NI");
  EXPECT_EQ(at(m, "PID-5.2"), "Jane");
  EXPECT_EQ(at(m, "ZXT-1.1.2"), "sub");
  EXPECT_EQ(at(m, "ZXT-1.2"), "two");
  EXPECT_EQ(at(m, "OBX(9)-5"), "");
  EXPECT_EQ(at(m, "NTE-1"), "");
  EXPECT_EQ(at(m, "PID-99"), "");
}

TEST(V2Message, RefusesMalformedPaths) {
  for (const char* path : {"", "OB", "obx-5", "OBX-", "OBX-0", "OBX-5.", "OBX-5(x)", "OBX(1-5",
                           "OBX-5.1.1.1", "OBX-5 "}) {
    auto p = V2Path::parse(path);
    ASSERT_FALSE(p.has_value()) << path;
    EXPECT_EQ(p.error().code, Errc::BadPath);
  }
}

TEST(V2Message, DecodesEscapesOnlyWhenAValueIsRead) {
  auto m = parse_ok(kOru);
  auto raw = at(m, "OBX(3)-5");
  EXPECT_EQ(raw, "a \\F\\ b \\S\\ c \\T\\ d \\R\\ e \\E\\ f \\X41\\ g \\.br\\ h");
  EXPECT_EQ(unescape(raw, m.encoding()), "a | b ^ c & d ~ e \\ f A g \\.br\\ h");
  auto p = V2Path::parse("OBX(3)-5");
  EXPECT_EQ(m.text_at(*p), "a | b ^ c & d ~ e \\ f A g \\.br\\ h");
  EXPECT_EQ(unescape("\\Xzz\\ \\H\\bold\\N\\ trailing\\", m.encoding()),
            "\\Xzz\\ \\H\\bold\\N\\ trailing\\");
}

TEST(V2Message, ExposesTextAsUtf8PerMsh18) {
  auto latin = parse_ok("MSH|^~\\&|A||||||ORU^R01|1|P|2.5||||||8859/1\rPID|1||1||M\xFCller\r");
  EXPECT_EQ(latin.charset(), Charset::Latin1);
  EXPECT_EQ(latin.text_at(*V2Path::parse("PID-5")), "M\xC3\xBCller");
  auto utf8 =
      parse_ok("MSH|^~\\&|A||||||ORU^R01|1|P|2.3.1||||||UNICODE\rOBX|1|NM|X||1|\xE2\x80\xB0\r");
  EXPECT_EQ(utf8.text_at(*V2Path::parse("OBX-6")), "\xE2\x80\xB0");
}

TEST(V2Message, ToleratesLfAndCrLfSegmentTerminators) {
  std::string lf = kOru;
  for (auto& c : lf) {
    c = c == '\r' ? '\n' : c;
  }
  std::string crlf;
  for (char c : kOru) {
    crlf += c == '\r' ? std::string("\r\n") : std::string(1, c);
  }
  for (const auto& text : {lf, crlf}) {
    auto m = parse_ok(text);
    EXPECT_EQ(m.segment_count(), 7u);
    EXPECT_EQ(at(m, "OBX(2)-5"), "7.12");
  }
}

TEST(V2Message, KeepsUnknownSegmentsAndExtraFields) {
  auto m = parse_ok(kOru + "OBX|4|NM|X||1||||||F" + std::string(18, '|') + "RSLT\rZZZ\r");
  EXPECT_EQ(at(m, "OBX(4)-29"), "RSLT");
  EXPECT_EQ(m.segment(m.segment_count() - 1).id(), "ZZZ");
}

TEST(V2Message, NamesSegmentAndOffsetOfAMalformedSegment) {
  auto parsed = V2Message::parse("MSH|^~\\&|A\rPID|1\rO|bad\r");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, Errc::MalformedSegment);
  EXPECT_NE(parsed.error().detail.find("segment 3"), std::string::npos) << parsed.error().detail;
  EXPECT_EQ(parsed.error().byte_offset, 17u);
}

TEST(V2Message, RefusesMessagesWithoutAUsableMsh) {
  struct Case {
    const char* text;
    Errc code;
  };
  for (auto c : {Case{"PID|1\r", Errc::MissingHeader}, Case{"MSH|^~\r", Errc::MalformedHeader},
                 Case{"MSH|^~\\^|A\r", Errc::MalformedHeader},
                 Case{"MSH|^~\\&x|A\r", Errc::MalformedHeader}, Case{"", Errc::MissingHeader}}) {
    auto parsed = V2Message::parse(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error().code, c.code) << c.text;
  }
}

TEST(V2Message, RefusesControlCharactersAsDelimiters) {
  // Found by fuzzing: a NUL escape character collided with "no such delimiter".
  auto parsed = V2Message::parse(std::string("MSH|^~\0&|A\r", 12));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, Errc::MalformedHeader);
}

TEST(V2Message, EnforcesTheLimits) {
  V2Limits limits;
  limits.max_segments = 3;
  auto too_many = V2Message::parse(kOru, limits);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code, Errc::TooManySegments);
  limits = {};
  limits.max_message_bytes = 16;
  auto too_big = V2Message::parse(kOru, limits);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, Errc::MessageTooLarge);
}

TEST(V2Message, ParsesA2MbScattergramInOneScan) {
  // OBX-5 of type ED carrying a base64 image, as hematology analyzers send scattergrams.
  std::string base64;
  base64.reserve(2 * 1024 * 1024);
  const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < 2 * 1024 * 1024; ++i) {
    base64.push_back(alphabet[(i * 7) % 64]);
  }
  const std::string text =
      "MSH|^~\\&|XN||||||ORU^R01|9|P|2.5.1\rOBX|1|ED|SCAT^WDF||^image^png^Base64^" + base64 +
      "||||||F\rOBX|2|NM|WBC||5.6\r";
  auto m = parse_ok(text);
  EXPECT_EQ(at(m, "OBX-5.5").size(), base64.size());
  EXPECT_EQ(at(m, "OBX-5.4"), "Base64");
  EXPECT_EQ(at(m, "OBX(2)-5"), "5.6");
  EXPECT_EQ(m.segment(1).field_count(), 12u);
}

TEST(V2Writer, RoundTripsEveryParsedSegment) {
  auto m = parse_ok(kOru);
  std::string written;
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    write_segment(m.segment(i), m.encoding(), written);
  }
  EXPECT_EQ(written, kOru);
}

TEST(V2Writer, EscapesValuesSoTheyReadBackUnchanged) {
  std::string out;
  V2Writer w(out);
  w.msh().field("hemalink").field("").field("LIS").field("").field("20260101120000").field("");
  w.components({"ORU", "R01", "ORU_R01"}).field("42").field("P").field("2.5.1");
  w.segment("OBX").field("1").field("ST").components({"C", "Comment"}).field("");
  w.field("a|b^c~d\\e&f");
  w.finish();
  w.segment("NTE").field("1").field("L").field("line one\r\nline two");
  w.finish();
  auto m = parse_ok(out);
  EXPECT_EQ(m.segment_count(), 3u) << "a CR or LF in a value never ends its segment";
  EXPECT_EQ(m.text_at(*V2Path::parse("NTE-3")), "line one\r\nline two");
  EXPECT_EQ(at(m, "MSH-9.3"), "ORU_R01");
  EXPECT_EQ(at(m, "OBX-5"), "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
  EXPECT_EQ(m.text_at(*V2Path::parse("OBX-5")), "a|b^c~d\\e&f");
}

}  // namespace
}  // namespace hemalink::hl7
