#pragma once

#include <string>

#include "server/validation/shadow_records.hpp"

namespace hemalink::validation {

/// The shadow decisions in PostgreSQL (`shadow_decisions`), on the calling thread's connection.
class PostgresShadowRecords final : public ShadowRecords {
 public:
  explicit PostgresShadowRecords(std::string dsn) : dsn_(std::move(dsn)) {}
  Result<std::string, Error> comparison(const std::optional<std::string>& version,
                                        std::size_t limit) const override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::validation
