#include "server/review/postgres_review_desk.hpp"

#include "server/review/review_queue.hpp"
#include "server/review/stored_comment_codes.hpp"

namespace hemalink::review {

Result<std::string, Error> PostgresReviewDesk::queue(std::size_t limit) const {
  return review_queue_json(dsn_, limit);
}

Result<ReviewAnswer, Error> PostgresReviewDesk::apply(const ReviewAction& action) {
  return apply_review_action(dsn_, routes_, action);
}

Result<std::vector<StoredCommentCode>, Error> PostgresReviewDesk::stored_comment_codes() const {
  return review::stored_comment_codes(dsn_);
}

Result<StoredCommentCode, Error> PostgresReviewDesk::store_comment_code(
    const StoredCommentCode& code) {
  return review::store_comment_code(dsn_, code);
}

Result<std::vector<ReviewAnswer>, Error> PostgresReviewDesk::apply_all(
    const std::vector<ReviewAction>& actions) {
  return apply_review_actions(dsn_, routes_, actions);
}

}  // namespace hemalink::review
