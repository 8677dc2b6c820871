#include "server/store/copy_text.hpp"

#include <gtest/gtest.h>

#include "server/store/batch_rows.hpp"

namespace hemalink::store {
namespace {

std::string line(const std::function<void(CopyLine&)>& fill) {
  std::string out;
  {
    CopyLine l(out);
    fill(l);
  }
  return out;
}

TEST(CopyText, EscapesTheCharactersCopyGivesMeaning) {
  EXPECT_EQ(line([](CopyLine& l) { l.text("a\tb\nc\rd\\e"); }), "a\\tb\\nc\\rd\\\\e\n");
  EXPECT_EQ(line([](CopyLine& l) { l.text("x").null().integer(-42).boolean(true); }),
            "x\t\\N\t-42\tt\n");
}

TEST(CopyText, NulAndInvalidUtf8BecomeStorableWithoutLosingAByte) {
  EXPECT_EQ(line([](CopyLine& l) { l.text(std::string_view("a\0b", 3)); }),
            "a\xEF\xBF\xBD"
            "b\n");
  // 0xB5 alone is not UTF-8: read as Latin-1 it is the micro sign.
  EXPECT_EQ(line([](CopyLine& l) { l.text("10\xB5L"); }), "10\xC2\xB5L\n");
  EXPECT_EQ(storable(std::string_view("\0", 1)), "\xEF\xBF\xBD");
}

TEST(CopyText, ByteaIsHexWithItsBackslashEscaped) {
  EXPECT_EQ(line([](CopyLine& l) { l.bytea(std::string_view("\x00\x0D\xFF", 3)); }),
            "\\\\x000dff\n");
}

TEST(CopyText, ArraysQuoteEveryElement) {
  EXPECT_EQ(line([](CopyLine& l) {
              l.text_array({"W", "a\"b", "c\\d"});
            }),
            "{\"W\",\"a\\\\\"b\",\"c\\\\\\\\d\"}\n");
  EXPECT_EQ(line([](CopyLine& l) { l.text_array({}); }), "{}\n");
  EXPECT_EQ(line([](CopyLine& l) { l.integer_array({7, 8}); }), "{7,8}\n");
}

TEST(CopyText, NumbersRoundTripAndNonFiniteIsNull) {
  EXPECT_EQ(line([](CopyLine& l) { l.number(8.13).number(std::nullopt); }), "8.13\t\\N\n");
  EXPECT_EQ(line([](CopyLine& l) { l.number(0.1 + 0.2); }), "0.30000000000000004\n");
  EXPECT_EQ(line([](CopyLine& l) { l.number(std::numeric_limits<double>::infinity()); }), "\\N\n");
}

}  // namespace
}  // namespace hemalink::store
