// The review desk in PostgreSQL on the private cluster: the queue of an empty lab, and an action on
// a result that is not there (the API's 404). The actions on held results are proven end to end in
// tests/server/api/api_pgtest.cpp.
#include "server/review/postgres_review_desk.hpp"

#include <gtest/gtest.h>

#include "server/store/migrations.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::review {
namespace {

TEST(PostgresReviewDesk, AnEmptyLabHasNoQueueAndNoResultToActOn) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  PostgresReviewDesk desk(db.dsn(), {{"lis", {"xn-1"}}});
  const auto queue = desk.queue(10);
  ASSERT_TRUE(queue.has_value()) << queue.error().detail;
  EXPECT_EQ(*queue, "[]");
  ReviewAction action;
  action.result_id = 999;
  action.actor = "user:tom";
  action.comment = "ok";
  const auto applied = desk.apply(action);
  ASSERT_TRUE(applied.has_value()) << applied.error().detail;
  EXPECT_EQ(applied->outcome, ReviewOutcome::NoSuchResult);
}

}  // namespace
}  // namespace hemalink::review
