#include "protocols/astm/lis2_records.hpp"

#include <gtest/gtest.h>

#include "protocols/astm/errc.hpp"
#include "protocols/astm/lis2_writer.hpp"

namespace hemalink::astm {
namespace {

const std::string kMessage =
    "H|\\^&|||    XN-550^00-24^22723|||||||P|E1394-97\r"
    "P|1|||37182|^Jim^Brown||19870626|M\r"
    "O|1||^^                    27^M|^^^^WBC\\^^^^RBC|||||||N\r"
    "R|1|^^^^WBC^1|8.13|10*3/uL||N||F||||20240627135407\r"
    "C|1|I|Text with &F& and &S& and &R& and &E&|G\r"
    "L|1|N\r";

Lis2Message parse_ok(std::string text, const Lis2Leniency& leniency = {}) {
  auto parsed = Lis2Message::parse(std::move(text), {}, leniency);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().describe());
  return std::move(parsed).value();
}

TEST(Lis2Records, SplitsRecordsAndFieldsWithTheHeaderDelimiters) {
  auto m = parse_ok(kMessage);
  ASSERT_EQ(m.record_count(), 6u);
  EXPECT_TRUE(m.is_terminated());
  auto h = m.record(0);
  EXPECT_EQ(h.type(), 'H');
  EXPECT_EQ(h.field(0), "H");
  EXPECT_EQ(h.field(1), "\\^&") << "field 1 of H holds the delimiters as written";
  EXPECT_EQ(h.field(4), "    XN-550^00-24^22723");
  auto r = m.record(3);
  EXPECT_EQ(r.type(), 'R');
  EXPECT_EQ(r.number(), 4u);
  EXPECT_EQ(r.field(2), "^^^^WBC^1");
  EXPECT_EQ(component(r.field(2), '^', 5), "WBC");
  EXPECT_EQ(r.field(3), "8.13");
  EXPECT_EQ(r.field(99), "");
  auto o = m.record(2);
  EXPECT_EQ(part_count(o.field(4), '\\'), 2u);
  EXPECT_EQ(component(o.field(4), '\\', 2), "^^^^RBC");
  EXPECT_EQ(o.offset(), kMessage.find("O|1"));
}

TEST(Lis2Records, TakesDelimitersFromTheHeaderNotFromDefaults) {
  auto m = parse_ok("H!`@#!!!x@y\rR!1!a`b!c@d\rL!1\r");
  EXPECT_EQ(m.delimiters().field, '!');
  EXPECT_EQ(m.delimiters().repeat, '`');
  EXPECT_EQ(m.delimiters().component, '@');
  EXPECT_EQ(m.delimiters().escape, '#');
  EXPECT_EQ(m.record(1).field(2), "a`b");
  EXPECT_EQ(component(m.record(1).field(3), '@', 2), "d");
}

TEST(Lis2Records, ToleratesLfAndCrLfTerminatorsAndBlankLines) {
  std::string lf = kMessage;
  for (auto& c : lf) {
    c = c == '\r' ? '\n' : c;
  }
  std::string crlf;
  for (char c : kMessage) {
    crlf += c == '\r' ? std::string("\r\n") : std::string(1, c);
  }
  for (const auto& text : {lf, crlf, kMessage + "\n\n"}) {
    auto m = parse_ok(text);
    EXPECT_EQ(m.record_count(), 6u);
    EXPECT_EQ(m.record(3).field(3), "8.13");
  }
}

TEST(Lis2Records, DecodesEscapesOnlyWhenAsked) {
  auto m = parse_ok(kMessage);
  const auto raw = m.record(4).field(3);
  EXPECT_EQ(raw, "Text with &F& and &S& and &R& and &E&");
  EXPECT_EQ(unescape(raw, m.delimiters()), "Text with | and ^ and \\ and &");
  EXPECT_EQ(unescape("&X& and & alone&", m.delimiters()), "&X& and & alone&");
  EXPECT_EQ(text_of("M\xFCller &F& 1", m.delimiters()), "M\xC3\xBCller | 1")
      << "Latin-1 by default";
  EXPECT_EQ(text_of("\xE2\x80\xB0", m.delimiters(), Charset::Utf8), "\xE2\x80\xB0");
}

TEST(Lis2Records, DoubledRepeatDelimiterIsANamedLeniency) {
  const std::string text = "H|\\\\^&|||H550\rL|1|N\r";
  auto strict = Lis2Message::parse(text);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().code, Errc::MalformedHeader);
  Lis2Leniency leniency;
  leniency.accept_doubled_repeat_delimiter = true;
  auto m = parse_ok(text, leniency);
  EXPECT_EQ(m.delimiters().repeat, '\\');
  EXPECT_EQ(m.delimiters().component, '^');
  EXPECT_EQ(m.delimiters().escape, '&');
}

TEST(Lis2Records, NamesTheRecordAndOffsetOfAMalformedRecord) {
  auto parsed = Lis2Message::parse("H|\\^&\rP|1\r1R|bad\rL|1\r");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, Errc::MalformedRecord);
  EXPECT_NE(parsed.error().detail.find("record 3"), std::string::npos) << parsed.error().detail;
  EXPECT_EQ(parsed.error().byte_offset, 10u);
}

// A sender that writes its frame numbers into the records (`2P|1`, `3O|1`): the reason is the
// record and its type field as found, not the missing terminator that follows from it.
TEST(Lis2Records, ARecordTypeThatIsNotOneLetterIsNamedAsFound) {
  for (const auto& [text, reason] :
       {std::pair{"H|\\^&\r2P|1\r3O|1|S-1||^^^GLU\r4L|1|N\r",
                  "record 2: expected a record type letter, found \"2P\""},
        std::pair{"H|\\^&\rP|1\rOR|1|S-1\r",
                  "record 3: expected a record type letter, found \"OR\""},
        std::pair{"H|\\^&\rP|1\r|1\r", "record 3: expected a record type letter, found \"\""}}) {
    auto parsed = Lis2Message::parse(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code, Errc::MalformedRecord);
    EXPECT_EQ(parsed.error().detail, reason);
  }
}

TEST(Lis2Records, RefusesHeadersThatDoNotDefineDistinctDelimiters) {
  for (const char* text : {"P|1\r", "H|\\^\r", "H|\\^^\r", "H|a^&\r", ""}) {
    auto parsed = Lis2Message::parse(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code, Errc::MalformedHeader) << text;
  }
}

TEST(Lis2Records, EnforcesTheLimits) {
  Lis2Limits limits;
  limits.max_records = 3;
  auto too_many = Lis2Message::parse(kMessage, limits);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code, Errc::TooManyRecords);
  limits = {};
  limits.max_message_bytes = 10;
  auto too_big = Lis2Message::parse(kMessage, limits);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, Errc::MessageTooLarge);
}

TEST(Lis2Records, MovingAMessageKeepsItsViewsValid) {
  auto m = parse_ok("H|\\^&\rL|1|N\r");  // short enough for the small-string buffer
  Lis2Message moved = std::move(m);
  EXPECT_EQ(moved.record(1).field(2), "N");
}

TEST(Lis2Writer, RoundTripsEveryParsedRecord) {
  auto m = parse_ok(kMessage);
  std::string written;
  for (std::size_t i = 0; i < m.record_count(); ++i) {
    write_record(m.record(i), m.delimiters(), written);
  }
  EXPECT_EQ(written, kMessage);
  auto again = parse_ok(written);
  EXPECT_EQ(again.record_count(), m.record_count());
}

TEST(Lis2Writer, EscapesValuesAndWritesAQueryReply) {
  std::string out;
  Lis2Writer w(out);
  w.header().field("").field("").field("hemalink");
  w.record('P').field("1");
  w.record('O').field("1").components({"", "", "SMP|01"}).field("").raw("^^^^WBC\\^^^^RBC");
  w.record('L').field("1").field("I");
  w.finish();
  EXPECT_EQ(out, "H|\\^&|||hemalink\rP|1\rO|1|^^SMP&F&01||^^^^WBC\\^^^^RBC\rL|1|I\r");
  auto m = parse_ok(out);
  EXPECT_EQ(unescape(component(m.record(2).field(2), '^', 3), m.delimiters()), "SMP|01");
}

}  // namespace
}  // namespace hemalink::astm
