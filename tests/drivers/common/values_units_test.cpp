#include <gtest/gtest.h>

#include "drivers/common/units.hpp"
#include "drivers/common/values.hpp"

namespace hemalink::drivers {
namespace {

TEST(Values, ReadsPaddedNumbersBoundsAndText) {
  auto padded = parse_value("  10.6");
  EXPECT_EQ(padded.text, "10.6");
  EXPECT_EQ(padded.numeric, 10.6);
  auto bound = parse_value("< 1.20");
  EXPECT_EQ(bound.text, "< 1.20");
  EXPECT_EQ(bound.comparator, model::Comparator::Less);
  EXPECT_EQ(bound.numeric, 1.2);
  EXPECT_EQ(parse_value(">=5").comparator, model::Comparator::GreaterOrEqual);
  EXPECT_EQ(parse_value("<=0.5").comparator, model::Comparator::LessOrEqual);
  EXPECT_EQ(parse_value(">100").numeric, 100.0);
  EXPECT_EQ(parse_value("-1").numeric, -1.0);
  EXPECT_EQ(parse_value("+2.5").numeric, 2.5);
  EXPECT_EQ(parse_value("1e3").numeric, 1000.0);
  for (const char* text : {"----", "-----", "Negative", "No Result", "1,5", "5.6 H", "", "<<",
                           "> high", "-1^0.325", "9.34^^^^", "+"}) {
    auto v = parse_value(text);
    EXPECT_FALSE(v.numeric.has_value()) << text;
    EXPECT_EQ(v.comparator, model::Comparator::None) << text;
  }
}

TEST(Units, NormalisesTheSpellingsAnalyzersUse) {
  for (const char* raw : {"10*3/uL", "10^3/uL", "x10^3/uL", "10E3/uL", "K/uL", "10^3/\xC2\xB5L",
                          "10^3/\xB5L", "x 10^3/uL", "10*3/ul"}) {
    EXPECT_EQ(normalize_units(raw), "10*3/uL") << raw;
  }
  EXPECT_EQ(normalize_units("10E6/uL"), "10*6/uL");
  EXPECT_EQ(normalize_units("x10^9/L"), "10*9/L");
  EXPECT_EQ(normalize_units("10*9/L"), "10*9/L");
  EXPECT_EQ(normalize_units("G/L"), "10*9/L") << "giga per litre, French hematology";
  EXPECT_EQ(normalize_units("g/L"), "g/L") << "grams per litre is not G/L";
  EXPECT_EQ(normalize_units("T/L"), "10*12/L");
  EXPECT_EQ(normalize_units("g/dl"), "g/dL");
  EXPECT_EQ(normalize_units("sec"), "s");
  EXPECT_EQ(normalize_units("S"), "s");
  EXPECT_EQ(normalize_units("um3"), "fL");
  EXPECT_EQ(normalize_units("fl"), "fL");
  EXPECT_EQ(normalize_units("%"), "%");
  EXPECT_EQ(normalize_units("U/l"), "U/L");
  EXPECT_EQ(normalize_units("umol/l"), "umol/L");
  EXPECT_EQ(normalize_units("ug/mL FEU"), "ug/mL{FEU}");
  EXPECT_EQ(normalize_units("ng/mL DDU"), "ng/mL{DDU}");
  EXPECT_EQ(normalize_units("mIU/mL"), "m[IU]/mL");
  EXPECT_TRUE(is_known_unit(" g/dL "));
  EXPECT_FALSE(is_known_unit("INR ISI"));
  EXPECT_EQ(normalize_units(" INR ISI "), "INR ISI") << "unknown units are kept, never guessed";
}

}  // namespace
}  // namespace hemalink::drivers
