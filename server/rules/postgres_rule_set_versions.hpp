#pragma once

#include <string>

#include "server/rules/rule_set_versions.hpp"

namespace hemalink::rules {

/// The rule set versions in PostgreSQL (rule_set_versions, the promotion's evidence in
/// rule_backtests), each call on the calling thread's connection to `dsn`. Status changes are
/// serialized by a transaction-scoped advisory lock, so two nodes promoting at once see each
/// other's move.
class PostgresRuleSetVersions final : public RuleSetVersions {
 public:
  explicit PostgresRuleSetVersions(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<RuleSetVersion, Error> store(const std::vector<RuleSource>& sources,
                                      const std::string& version, const std::string& author,
                                      const std::string& reason, StoreAs as) const override;
  Result<std::vector<RuleSetVersion>, Error> list() const override;
  Result<std::optional<RuleSetVersion>, Error> find(
      const std::string& id_or_version) const override;
  Result<std::optional<RuleSetVersion>, Error> live() const override;
  Result<RuleSetVersion, Error> change_status(const StatusChange& change) const override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::rules
