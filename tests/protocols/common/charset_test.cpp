#include "protocols/common/charset.hpp"

#include <gtest/gtest.h>

namespace hemalink {
namespace {

TEST(Charset, MapsMsh18Values) {
  EXPECT_EQ(charset_from_hl7("ASCII"), Charset::Ascii);
  EXPECT_EQ(charset_from_hl7("8859/1"), Charset::Latin1);
  EXPECT_EQ(charset_from_hl7("UNICODE UTF-8"), Charset::Utf8);
  EXPECT_EQ(charset_from_hl7("UNICODE"), Charset::Utf8) << "Mindray's spelling";
  EXPECT_EQ(charset_from_hl7("8859/1~UNICODE UTF-8"), Charset::Latin1) << "first repetition";
  EXPECT_EQ(charset_from_hl7(""), std::nullopt);
  EXPECT_EQ(charset_from_hl7("ISO IR87"), std::nullopt);
}

TEST(Charset, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xE2\x80\xB0"));   // per mille, as Mindray sends
  EXPECT_FALSE(is_valid_utf8("\xE2\x80"));      // cut
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
}

TEST(Charset, ConvertsToValidUtf8WithoutLosingBytes) {
  EXPECT_EQ(to_utf8("M\xFCller", Charset::Latin1), "M\xC3\xBCller");
  EXPECT_EQ(to_utf8("\xE2\x80\xB0", Charset::Utf8), "\xE2\x80\xB0");
  // Declared UTF-8 but not valid: read as Latin-1 rather than emit invalid text.
  EXPECT_EQ(to_utf8("\xFC", Charset::Utf8), "\xC3\xBC");
  EXPECT_EQ(to_utf8("\xFC", Charset::Ascii), "\xC3\xBC");
  EXPECT_TRUE(is_valid_utf8(to_utf8(std::string("\x80\xFF\xC3", 3), Charset::Utf8)));
}

}  // namespace
}  // namespace hemalink
