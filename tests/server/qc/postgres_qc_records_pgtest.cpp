// Quality control's records in PostgreSQL on the private cluster: a definition put and read back
// with who and when, and the reads of a lab without control results. Series, brackets and
// averages of judged controls are read end to end in qc_gate_pgtest.cpp.
#include "server/qc/postgres_qc_records.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::qc {
namespace {

using nlohmann::json;

TEST(PostgresQcRecords, ADefinitionPutIsStoredWithWhoAndWhen) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  PostgresQcRecords records(db.dsn());
  QcDefinitionRow row;
  row.analyzer = "xn-1";
  row.test = "WBC";
  row.level = "2";
  row.lot = "L7";
  row.mean = 7.1;
  row.sd = 0.2;
  row.reason = "new lot";
  row.changed_by = "user:ada";
  const auto stored = records.put_definition(row);
  ASSERT_TRUE(stored.has_value()) << stored.error().detail;
  EXPECT_EQ(stored->changed_by, "user:ada");
  EXPECT_FALSE(stored->changed_at.empty());
  const auto all = qc_definitions(db.dsn());
  ASSERT_TRUE(all.has_value()) << all.error().detail;
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].mean, 7.1);
  EXPECT_EQ((*all)[0].reason, "new lot");
}

TEST(PostgresQcRecords, ALabWithoutControlResultsReadsEmpty) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  const PostgresQcRecords records(db.dsn());
  QcSeriesQuery q;
  q.analyzer = "xn-1";
  q.test = "WBC";
  const auto series = records.series(q);
  ASSERT_TRUE(series.has_value()) << series.error().detail;
  EXPECT_EQ(json::parse(*series),
            json::parse(R"({"analyzer": "xn-1", "test": "WBC", "levels": []})"));
  const auto averages = records.averages("xn-1", "WBC", std::nullopt, 10);
  ASSERT_TRUE(averages.has_value()) << averages.error().detail;
  EXPECT_EQ(json::parse(*averages),
            json::parse(R"({"analyzer": "xn-1", "test": "WBC", "points": []})"));
  const auto latest = records.latest_averages(std::nullopt);
  ASSERT_TRUE(latest.has_value()) << latest.error().detail;
  EXPECT_EQ(json::parse(*latest), json::parse(R"({"averages": []})"));
  const auto bracket = records.bracket("xn-1", "WBC");
  ASSERT_TRUE(bracket.has_value()) << bracket.error().detail;
  EXPECT_TRUE(json::parse(*bracket).is_object()) << *bracket;
}

}  // namespace
}  // namespace hemalink::qc
