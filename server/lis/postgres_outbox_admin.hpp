#pragma once

#include <string>

#include "server/lis/outbox_admin.hpp"

namespace hemalink::lis {

/// The outbox's administration in PostgreSQL, each call on the calling thread's connection to
/// `dsn` (the API's threads make many).
class PostgresOutboxAdmin final : public OutboxAdmin {
 public:
  explicit PostgresOutboxAdmin(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<std::vector<OutboxRow>, Error> list(const OutboxFilter& filter) const override;
  Result<std::string, Error> list_json(const OutboxFilter& filter) const override;
  Result<std::optional<OutboxRow>, Error> show(long long id) const override;
  Result<void, Error> resend(long long id, const std::string& actor) const override;
  Result<long long, Error> retry_dead(const std::optional<std::string>& destination,
                                      const std::string& actor) const override;
  Result<std::vector<OutboxDepth>, Error> depths() const override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::lis
