// The review desk in PostgreSQL on the private cluster: the queue of an empty lab, an action on a
// result that is not there (the API's 404), and the comment codes stored, changed and removed,
// each audited. The actions on held results are proven end to end in
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

TEST(PostgresReviewDesk, CommentCodesAreStoredChangedAndRemovedEachAudited) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase db;
  ASSERT_TRUE(store::migrate(db.dsn(), store::shipped_migrations()).has_value());
  PostgresReviewDesk desk(db.dsn(), {});
  const auto none = desk.stored_comment_codes();
  ASSERT_TRUE(none.has_value()) << none.error().detail;
  EXPECT_TRUE(none->empty());
  const auto added = desk.store_comment_code({".smear", "Blood film reviewed", "user:ada", ""});
  ASSERT_TRUE(added.has_value()) << added.error().detail;
  EXPECT_EQ(added->text, "Blood film reviewed");
  EXPECT_EQ(added->changed_at.size(), 20U) << added->changed_at;
  ASSERT_TRUE(desk.store_comment_code({".smear", "Film reviewed", "user:ada", ""}).has_value());
  ASSERT_TRUE(desk.store_comment_code({".ok", std::nullopt, "user:bo", ""}).has_value());
  const auto codes = desk.stored_comment_codes();
  ASSERT_TRUE(codes.has_value()) << codes.error().detail;
  ASSERT_EQ(codes->size(), 2U);
  EXPECT_EQ((*codes)[0].code, ".ok");
  EXPECT_EQ((*codes)[0].text, std::nullopt) << "a removal of a configured code is a row";
  EXPECT_EQ((*codes)[0].changed_by, "user:bo");
  EXPECT_EQ((*codes)[1].text, "Film reviewed");
  EXPECT_EQ(testing::query_rows(db.dsn(),
                                "SELECT actor, action, entity_id, before->>'text', after->>'text'"
                                " FROM audit_log WHERE entity = 'comment_code' ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"user:ada", "create", ".smear", "", "Blood film reviewed"},
                {"user:ada", "change", ".smear", "Blood film reviewed", "Film reviewed"},
                {"user:bo", "remove", ".ok", "", ""}}));
  const auto refused = desk.store_comment_code({"ok", "x", "user:ada", ""});
  EXPECT_FALSE(refused.has_value()) << "the table refuses a code that is not one";
}

}  // namespace
}  // namespace hemalink::review
