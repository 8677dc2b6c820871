#pragma once

#include <atomic>
#include <mutex>
#include <thread>

#include "server/daemon/daemon_config.hpp"
#include "server/validation/backtest.hpp"
#include "server/validation/backtest_desk.hpp"
#include "server/validation/postgres_backtest_records.hpp"

namespace hemalink::daemon {

/// The daemon's backtests asked for through the API: each on a thread of its own (not an I/O
/// thread, not a store writer: its reads and its progress go through connections of its own),
/// one at a time, with the context the configuration gives (backtest_plan) and the archive of
/// the configured database; kept in rule_backtests.
class BacktestJobs final : public validation::BacktestDesk {
 public:
  /// `config` outlives the jobs.
  explicit BacktestJobs(const DaemonConfig& config);
  ~BacktestJobs() override;
  BacktestJobs(const BacktestJobs&) = delete;
  BacktestJobs& operator=(const BacktestJobs&) = delete;

  Result<validation::BacktestStart, Error> start(std::shared_ptr<const rules::RuleSet> candidate,
                                                 validation::BacktestRequest request) override;
  Result<std::string, Error> find(long long id) override { return records_.find(id); }
  Result<std::string, Error> list(std::size_t limit) override { return records_.list(limit); }

  /// Stops the running backtest at its next batch (it is kept as failed, saying so) and waits
  /// for its thread; none starts after. At shutdown.
  void stop();

 private:
  void run(long long id, std::shared_ptr<const rules::RuleSet> candidate,
           validation::BacktestPlan plan);

  const DaemonConfig& config_;
  validation::PostgresBacktestRecords records_;
  std::atomic<bool> is_stopping_{false};
  std::mutex mutex_;
  long long running_ = 0;  ///< The backtest on `thread_` while it runs; 0 when none.
  std::thread thread_;
};

}  // namespace hemalink::daemon
