#pragma once

#include <string>

#include "server/records/lis_routes.hpp"
#include "server/review/review_desk.hpp"

namespace hemalink::review {

/// The review desk in PostgreSQL (review_queue_json, apply_review_action), on the calling thread's
/// connection to `dsn`; a release queues outbox rows for `routes`.
class PostgresReviewDesk final : public ReviewDesk {
 public:
  PostgresReviewDesk(std::string dsn, records::LisRoutes routes)
      : dsn_(std::move(dsn)), routes_(std::move(routes)) {}

  Result<std::string, Error> queue(std::size_t limit) const override;
  Result<ReviewAnswer, Error> apply(const ReviewAction& action) override;
  Result<std::vector<StoredCommentCode>, Error> stored_comment_codes() const override;
  Result<StoredCommentCode, Error> store_comment_code(const StoredCommentCode& code) override;
  Result<std::vector<ReviewAnswer>, Error> apply_all(
      const std::vector<ReviewAction>& actions) override;

 private:
  std::string dsn_;
  records::LisRoutes routes_;
};

}  // namespace hemalink::review
