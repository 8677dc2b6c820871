#pragma once

#include <string>

#include "server/records/order_records.hpp"

namespace hemalink::orders {

/// The orders read from PostgreSQL, each call on the calling thread's connection to `dsn`.
class PostgresOrderRecords final : public records::OrderRecords {
 public:
  explicit PostgresOrderRecords(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<std::string, Error> orders(const std::optional<std::string>& specimen, bool only_overdue,
                                    std::chrono::minutes overdue_after,
                                    std::size_t limit) const override;
  Result<std::string, Error> unmapped_codes() const override;
  Result<std::vector<records::UnmappedOrderCodes>, Error> unmapped_counts() const override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::orders
