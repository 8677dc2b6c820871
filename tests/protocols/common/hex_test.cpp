#include "protocols/common/hex.hpp"

#include <gtest/gtest.h>

#include <array>

namespace hemalink {
namespace {

TEST(Hex, EncodesEachByteAsTwoDigitsInTheCaseAskedFor) {
  const std::string bytes("\x00\x1F\xA0\xFF", 4);
  EXPECT_EQ(hex_encode(bytes, HexCase::Upper), "001FA0FF");
  EXPECT_EQ(hex_encode(bytes, HexCase::Lower), "001fa0ff");
  const std::array<std::uint8_t, 3> array{0x0A, 0xBC, 0x7E};
  EXPECT_EQ(hex_encode(array, HexCase::Upper), "0ABC7E");
  EXPECT_EQ(hex_encode(std::string_view(), HexCase::Lower), "");
}

TEST(Hex, AppendsAfterWhatIsThere) {
  std::string out = "\\x";
  append_hex(out, std::string_view("\xDE\xAD", 2), HexCase::Lower);
  EXPECT_EQ(out, "\\xdead");
}

TEST(Hex, DecodesEitherCaseBackToTheBytes) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) {
    every_byte.push_back(static_cast<char>(b));
  }
  for (const auto letters : {HexCase::Upper, HexCase::Lower}) {
    EXPECT_EQ(hex_decode(hex_encode(every_byte, letters)), every_byte);
  }
  EXPECT_EQ(hex_decode("fF0a"), std::string("\xFF\x0A", 2));
  EXPECT_EQ(hex_decode(""), std::string());
}

TEST(Hex, RefusesOddLengthsAndNonDigits) {
  EXPECT_EQ(hex_decode("ABC"), std::nullopt);
  EXPECT_EQ(hex_decode("0G"), std::nullopt);
  EXPECT_EQ(hex_decode("g0"), std::nullopt);
  EXPECT_EQ(hex_decode("0 "), std::nullopt);
  EXPECT_EQ(hex_decode("-1"), std::nullopt);
  EXPECT_EQ(hex_decode("0x"), std::nullopt);
}

}  // namespace
}  // namespace hemalink
