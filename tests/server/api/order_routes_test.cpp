// The order routes over a fake OrderRecords.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(OrderRoutes, OrdersSayWhenTheyAreOverdueAndPassTheirFilters) {
  FakeLab lab;
  lab.orders.orders_json = R"([{"order_id":1,"overdue":true}])";
  const auto router = lab.router();
  const auto r = router.answer(request("GET", "/api/v1/orders", lab.viewer.token,
                                       {{"specimen", "S-1"}, {"overdue", "true"}, {"limit", "3"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"overdue_after_min":240,"orders":[{"order_id":1,"overdue":true}]})"));
  ASSERT_EQ(lab.orders.asked.size(), 1u);
  EXPECT_EQ(lab.orders.asked[0].specimen, "S-1");
  EXPECT_TRUE(lab.orders.asked[0].only_overdue);
  EXPECT_EQ(lab.orders.asked[0].overdue_after, std::chrono::minutes(240));
  EXPECT_EQ(lab.orders.asked[0].limit, 3u);
  const auto bad =
      router.answer(request("GET", "/api/v1/orders", lab.viewer.token, {{"overdue", "yes"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("overdue: expected one of true, false"), std::string::npos);
}

TEST(OrderRoutes, TheUnmappedCodesAreTheRecordsList) {
  FakeLab lab;
  lab.orders.unmapped_json = R"([{"destination":"lis","lis_code":"X1"}])";
  const auto r = lab.router().answer(request("GET", "/api/v1/orders/unmapped", lab.viewer.token));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"unmapped":[{"destination":"lis","lis_code":"X1"}]})"));
}

}  // namespace
}  // namespace hemalink::api
