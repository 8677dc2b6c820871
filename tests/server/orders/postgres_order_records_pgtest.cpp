// The orders read from PostgreSQL on the private cluster: an empty lab's lists. Orders with their
// tests, overdue and unmapped, are read end to end in order_feed_pgtest.cpp.
#include "server/orders/postgres_order_records.hpp"

#include <gtest/gtest.h>

#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::orders {
namespace {

TEST(PostgresOrderRecords, AnEmptyLabHasNoOrdersAndNoUnmappedCodes) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  const PostgresOrderRecords records(db.dsn());
  const auto orders = records.orders(std::nullopt, true, std::chrono::minutes(240), 10);
  ASSERT_TRUE(orders.has_value()) << orders.error().detail;
  EXPECT_EQ(*orders, "[]");
  EXPECT_EQ(records.unmapped_codes().value(), "[]");
  const auto counts = records.unmapped_counts();
  ASSERT_TRUE(counts.has_value()) << counts.error().detail;
  EXPECT_TRUE(counts->empty());
}

}  // namespace
}  // namespace hemalink::orders
