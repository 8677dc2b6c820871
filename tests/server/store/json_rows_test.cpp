#include "server/store/json_rows.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/store/batch_rows.hpp"

namespace hemalink::store {
namespace {

const std::vector<std::string> kColumns = {"a", "b", "c", "d", "e"};

std::string row(const std::function<void(JsonRow&)>& fill) {
  std::string out;
  {
    JsonRow r(out, kColumns);
    fill(r);
  }
  return out;
}

TEST(JsonRows, EachValueIsKeyedByItsColumnInOrder) {
  EXPECT_EQ(row([](JsonRow& r) { r.text("x").null().integer(-42).boolean(true); }),
            R"({"a":"x","b":null,"c":-42,"d":true})");
  std::string rows;
  JsonRow(rows, kColumns).integer(1);
  JsonRow(rows, kColumns).integer(2);
  EXPECT_EQ(json_array(rows), R"([{"a":1},{"a":2}])");
  EXPECT_EQ(json_array(""), "[]");
}

TEST(JsonRows, MoreValuesThanColumnsIsABug) {
  std::string out;
  JsonRow r(out, std::span(kColumns).first(1));
  r.integer(1);
  EXPECT_THROW(r.integer(2), std::logic_error);
}

TEST(JsonRows, StringsAreEscapedAndParseBack) {
  const std::string tricky = "q\"b\\s\r\n\t\x01 end";
  const auto text = row([&](JsonRow& r) { r.text(tricky); });
  EXPECT_EQ(nlohmann::json::parse(text)["a"], tricky);
}

TEST(JsonRows, NulAndInvalidUtf8BecomeStorableWithoutLosingAByte) {
  EXPECT_EQ(row([](JsonRow& r) { r.text(std::string_view("a\0b", 3)); }),
            "{\"a\":\"a\xEF\xBF\xBD"
            "b\"}");
  // 0xB5 alone is not UTF-8: read as Latin-1 it is the micro sign.
  EXPECT_EQ(row([](JsonRow& r) { r.text("10\xB5L"); }), "{\"a\":\"10\xC2\xB5L\"}");
  EXPECT_EQ(storable(std::string_view("\0", 1)), "\xEF\xBF\xBD");
}

TEST(JsonRows, ByteaIsHexWithItsBackslashEscaped) {
  const auto text = row([](JsonRow& r) { r.bytea(std::string_view("\x00\x0D\xFF", 3)); });
  EXPECT_EQ(text, R"({"a":"\\x000dff"})");
  EXPECT_EQ(nlohmann::json::parse(text)["a"], "\\x000dff") << "what bytea's input reads";
}

TEST(JsonRows, ArraysAreJsonArrays) {
  EXPECT_EQ(row([](JsonRow& r) {
              r.text_array({"W", "a\"b"}).text_array({}).integer_array({7, 8});
            }),
            R"({"a":["W","a\"b"],"b":[],"c":[7,8]})");
}

TEST(JsonRows, NumbersRoundTripAndNonFiniteIsNull) {
  EXPECT_EQ(row([](JsonRow& r) { r.number(8.13).number(std::nullopt); }), R"({"a":8.13,"b":null})");
  EXPECT_EQ(row([](JsonRow& r) { r.number(0.1 + 0.2); }), R"({"a":0.30000000000000004})");
  EXPECT_EQ(row([](JsonRow& r) { r.number(std::numeric_limits<double>::infinity()); }),
            R"({"a":null})");
}

TEST(JsonRows, TimestampsAreUtcWithMicroseconds) {
  using namespace std::chrono;
  const sys_days day = 2026y / November / 22;
  const auto at = time_point_cast<system_clock::duration>(day + hours(9) + minutes(41) +
                                                          seconds(7) + microseconds(123456));
  EXPECT_EQ(timestamp_literal(at), "2026-11-22 09:41:07.123456+00");
  EXPECT_EQ(row([&](JsonRow& r) { r.timestamp(at); }), R"({"a":"2026-11-22 09:41:07.123456+00"})");
}

}  // namespace
}  // namespace hemalink::store
