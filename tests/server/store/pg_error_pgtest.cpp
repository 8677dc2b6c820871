// What PostgreSQL's refusals become at the store's boundary: a value that is none of its type is
// BadValue (the API answers 400), read through the store's own queries.
#include "server/store/pg_error.hpp"

#include <gtest/gtest.h>

#include "server/store/lab_records.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::store {
namespace {

TEST(PgError, ATimeOrIdThatIsNoneOfItsTypeIsABadValueNamingTheValue) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(migrate(db.dsn(), shipped_migrations()).has_value());
  // 22008, 22007, 22009: the audit log read with times as they reached PostgreSQL before the API
  // read them itself.
  for (const std::string since :
       {"2026-02-30", "2026-11-28T24:61", "yesterday at noon", "2026-11-28T10:00+16:00"}) {
    const auto read = audit_json(db.dsn(), std::nullopt, since, 10);
    ASSERT_FALSE(read.has_value()) << since;
    EXPECT_EQ(read.error().code, StoreErrc::BadValue) << read.error().detail;
    EXPECT_NE(read.error().detail.find('"' + since + '"'), std::string::npos)
        << read.error().detail;
  }
  // 22P02: a message ID that is no UUID.
  const auto message = message_json(db.dsn(), "not-a-uuid");
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(message.error().code, StoreErrc::BadValue) << message.error().detail;

  const auto read = audit_json(db.dsn(), std::nullopt, "2026-11-28T10:15:00.000000Z", 10);
  ASSERT_TRUE(read.has_value()) << read.error().detail;
  EXPECT_EQ(*read, "[]");
}

TEST(PgError, WhatIsNotTheCallersValueStaysFatal) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;  // not migrated: no audit_log table (42P01)
  const auto read = audit_json(db.dsn(), std::nullopt, "2026-11-28", 10);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, StoreErrc::Fatal) << read.error().detail;
}

}  // namespace
}  // namespace hemalink::store
