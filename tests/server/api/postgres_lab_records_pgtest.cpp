// The lab's records read from PostgreSQL (api::PostgresLabRecords) on the private cluster: what
// PostgreSQL refuses becomes BadValue naming the value (the API answers 400), what is not the
// caller's stays Fatal, and the documents of an empty database.
#include "server/api/postgres_lab_records.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/store/errc.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::api {
namespace {

using store::StoreErrc;

TEST(PostgresLabRecords, ATimeOrIdThatIsNoneOfItsTypeIsABadValueNamingTheValue) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  const PostgresLabRecords records(db.dsn());
  // 22008 and 22007: what PostgreSQL cannot read as a time, should a caller not check it first.
  for (const std::string since :
       {"2026-02-30", "2026-11-28T24:61", "yesterday at noon", "2026-11-28T10:00+16:00"}) {
    const auto read = records.audit(std::nullopt, since, 10);
    ASSERT_FALSE(read.has_value()) << since;
    EXPECT_EQ(read.error().code, StoreErrc::BadValue) << read.error().detail;
    EXPECT_NE(read.error().detail.find('"' + since + '"'), std::string::npos)
        << read.error().detail;
  }
  // 22P02: a message ID that is no UUID.
  const auto message = records.message("not-a-uuid");
  ASSERT_FALSE(message.has_value());
  EXPECT_EQ(message.error().code, StoreErrc::BadValue) << message.error().detail;

  const auto read = records.audit(std::nullopt, "2026-11-28T10:15:00.000000Z", 10);
  ASSERT_TRUE(read.has_value()) << read.error().detail;
  EXPECT_EQ(*read, "[]");
}

TEST(PostgresLabRecords, WhatIsNotTheCallersValueStaysFatal) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;  // not migrated: no audit_log table (42P01)
  const auto read = PostgresLabRecords(db.dsn()).audit(std::nullopt, "2026-11-28", 10);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, StoreErrc::Fatal) << read.error().detail;
}

TEST(PostgresLabRecords, AnEmptyDatabaseAnswersEmptyDocumentsAndNoSpecimen) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  const PostgresLabRecords records(db.dsn());
  ASSERT_TRUE(records.ping().has_value());
  const auto page = records.search_results({});
  ASSERT_TRUE(page.has_value()) << page.error().detail;
  EXPECT_EQ(nlohmann::json::parse(*page),
            nlohmann::json::parse(R"({"results": [], "next_cursor": null})"));
  const auto specimen = records.specimen("S-none");
  ASSERT_TRUE(specimen.has_value()) << specimen.error().detail;
  EXPECT_FALSE(specimen->has_value());
  const auto message = records.message("00000000-0000-0000-0000-000000000000");
  ASSERT_TRUE(message.has_value()) << message.error().detail;
  EXPECT_FALSE(message->has_value());
  EXPECT_EQ(records.analyzer_rows().value(), "{}");
  EXPECT_EQ(records.analyzer_messages_since("2026-11-28T00:00:00Z").value(), "{}");
  EXPECT_EQ(records.rule_firings(std::nullopt).value(), "[]");
}

}  // namespace
}  // namespace hemalink::api
