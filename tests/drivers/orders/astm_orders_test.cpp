#include "drivers/orders/astm_orders.hpp"

#include <gtest/gtest.h>

namespace hemalink::drivers {
namespace {

Result<model::OrderMessage> read(const std::string& text) {
  auto message = astm::Lis2Message::parse(text);
  EXPECT_TRUE(message);
  return read_astm_orders(*message, Charset::Latin1);
}

TEST(AstmOrders, ReadsOrdersOfALisOnTheirPatient) {
  auto m = read(
      "H|\\^&|||LIS^1|||||||P|LIS2-A2|20261128101500\r"
      "P|1||P12345||Doe^Jane||19500704|F|||||||||||||||||WARD7\r"
      "O|1|S-1001||^^^FBC\\^^^ESR^Sed rate|S||20261128092500||||N\r"
      "O|2|S-1002||^^^PT|R||||||C\r"
      "L|1|N\r");
  ASSERT_TRUE(m) << m.error().describe();
  ASSERT_EQ(m->orders.size(), 2u);
  const auto& first = m->orders[0];
  EXPECT_EQ(first.specimen_id, "S-1001");
  EXPECT_EQ(first.control, model::OrderControl::New);
  EXPECT_EQ(first.priority, model::Priority::Stat);
  EXPECT_EQ(first.collected_at, "20261128092500");
  EXPECT_EQ(first.location, "WARD7");
  ASSERT_EQ(first.tests.size(), 2u);
  EXPECT_EQ(first.tests[1].code, "ESR");
  EXPECT_EQ(first.tests[1].text, "Sed rate");
  ASSERT_TRUE(first.patient);
  EXPECT_EQ(first.patient->id, "P12345");
  EXPECT_EQ(first.patient->sex, "F");
  EXPECT_EQ(m->orders[1].control, model::OrderControl::Cancel);
}

TEST(AstmOrders, RefusesAnOrderWithoutSpecimenOrTests) {
  auto no_specimen = read("H|\\^&\rO|1|||^^^FBC\rL|1|N\r");
  ASSERT_FALSE(no_specimen);
  EXPECT_NE(no_specimen.error().detail.find("O-3"), std::string::npos)
      << no_specimen.error().detail;
  auto no_tests = read("H|\\^&\rO|1|S-1||\rL|1|N\r");
  ASSERT_FALSE(no_tests);
  auto bad_action = read("H|\\^&\rO|1|S-1||^^^FBC|||||||Z\rL|1|N\r");
  ASSERT_FALSE(bad_action);
  EXPECT_NE(bad_action.error().detail.find("'Z'"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::drivers
