#pragma once

#include <string>

#include "server/validation/backtest_records.hpp"

namespace hemalink::validation {

/// Backtests in `rule_backtests`, each call on the calling thread's connection.
class PostgresBacktestRecords final : public BacktestRecords {
 public:
  explicit PostgresBacktestRecords(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<long long, Error> start(const BacktestRequest& request) override;
  Result<void, Error> progress(long long id, long long done, long long total) override;
  Result<void, Error> finish(long long id, const BacktestReport& report) override;
  Result<void, Error> fail(long long id, const std::string& why) override;
  Result<std::string, Error> find(long long id) override;
  Result<std::string, Error> list(std::size_t limit) override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::validation
