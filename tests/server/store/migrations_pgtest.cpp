// Migrations against a real PostgreSQL 15 (the private cluster of scripts/dev.sh test).
#include "server/store/migrations.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "tests/support/test_database.hpp"

namespace hemalink::store {
namespace {

int count(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::read_transaction r(c);
  return r.exec1(sql)[0].as<int>();
}

int table_count(const std::string& dsn) {
  return count(dsn,
               "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND "
               "table_name IN ('analyzers', 'messages', 'specimens', 'results', 'decisions', "
               "'outbox', 'audit_log', 'schema_migrations')");
}

TEST(Migrations, MigrateAnEmptyDatabaseThenChangeNothing) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  auto first = migrate(db.dsn(), shipped_migrations());
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  std::vector<std::string> every;
  for (const auto& m : shipped_migrations()) {
    every.emplace_back(m.name);
  }
  const int last = shipped_migrations().back().version;
  EXPECT_EQ(first->applied, every);
  EXPECT_EQ(every.front(), "0001_initial");
  EXPECT_EQ(first->version, last);
  EXPECT_EQ(table_count(db.dsn()), 8);
  auto second = migrate(db.dsn(), shipped_migrations());
  ASSERT_TRUE(second.has_value()) << second.error().detail;
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->version, last);
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations"),
            static_cast<int>(every.size()));
}

TEST(Migrations, AFailedMigrationLeavesTheDatabaseAsItWas) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  const Migration broken[] = {
      shipped_migrations()[0],
      {2, "0002_broken", "CREATE TABLE half_done (x integer); SELECT * FROM no_such_table;"},
  };
  auto result = migrate(db.dsn(), broken);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, StoreErrc::Fatal);
  EXPECT_NE(result.error().detail.find("migration 0002_broken failed and was rolled back"),
            std::string::npos)
      << result.error().detail;
  EXPECT_NE(result.error().detail.find("no_such_table"), std::string::npos);
  EXPECT_EQ(count(db.dsn(),
                  "SELECT count(*) FROM information_schema.tables WHERE table_name = "
                  "'half_done'"),
            0);
  EXPECT_EQ(count(db.dsn(), "SELECT max(version) FROM schema_migrations"), 1)
      << "0001 stays applied, 0002 left no trace";
  const Migration fixed[] = {shipped_migrations()[0],
                             {2, "0002_fixed", "CREATE TABLE half_done (x integer);"}};
  auto retried = migrate(db.dsn(), fixed);
  ASSERT_TRUE(retried.has_value()) << retried.error().detail;
  EXPECT_EQ(retried->applied, std::vector<std::string>{"0002_fixed"});
}

TEST(Migrations, RefusesAMigrationChangedAfterItWasApplied) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  const Migration original[] = {{1, "0001_a", "CREATE TABLE a (x integer);"}};
  ASSERT_TRUE(migrate(db.dsn(), original).has_value());
  const Migration edited[] = {{1, "0001_a", "CREATE TABLE a (x integer, y integer);"}};
  auto result = migrate(db.dsn(), edited);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, StoreErrc::MigrationChanged);
  EXPECT_NE(result.error().detail.find("0001_a was changed"), std::string::npos);
}

TEST(Migrations, RefusesADatabaseMigratedByANewerHemalink) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  const Migration newer[] = {{1, "0001_a", "SELECT 1;"}, {2, "0002_b", "SELECT 2;"}};
  ASSERT_TRUE(migrate(db.dsn(), newer).has_value());
  auto result = migrate(db.dsn(), std::span(newer, 1));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, StoreErrc::SchemaTooNew);
}

TEST(Migrations, ConcurrentRunsApplyEachMigrationOnce) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  std::vector<std::thread> runners;
  std::vector<int> outcomes(4, -1);
  for (int i = 0; i < 4; ++i) {
    runners.emplace_back([&, i] {
      auto r = migrate(db.dsn(), shipped_migrations());
      outcomes[static_cast<std::size_t>(i)] = r ? static_cast<int>(r->applied.size()) : -1;
    });
  }
  for (auto& t : runners) {
    t.join();
  }
  const auto n = static_cast<int>(shipped_migrations().size());
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), n), 1) << "one runner applies all";
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), 0), 3) << "the others find it done";
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM schema_migrations"), n);
}

TEST(Migrations, TheAuditLogIsAppendOnly) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(migrate(db.dsn(), shipped_migrations()).has_value());
  pqxx::connection c(db.dsn());
  {
    pqxx::work w(c);
    w.exec(
        "INSERT INTO audit_log (actor, action, entity, entity_id) "
        "VALUES ('user:ann', 'release', 'result', '1')");
    w.commit();
  }
  for (const char* sql :
       {"UPDATE audit_log SET actor = 'user:bob'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
    pqxx::work w(c);
    EXPECT_THROW(w.exec(sql), pqxx::sql_error) << sql;
  }
  EXPECT_EQ(count(db.dsn(), "SELECT count(*) FROM audit_log WHERE actor = 'user:ann'"), 1);
}

TEST(Migrations, ReportsAnUnreachableDatabaseAsRetryable) {
  auto result =
      migrate("host=/nonexistent-hemalink user=postgres connect_timeout=2", shipped_migrations());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, StoreErrc::Retryable);
  EXPECT_NE(result.error().detail.find("cannot reach the database"), std::string::npos);
}

}  // namespace
}  // namespace hemalink::store
