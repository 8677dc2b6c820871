#include "server/daemon/backtest_jobs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/daemon/backtest_plan.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/store/errc.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "server/validation/recorded_backtest.hpp"

namespace hemalink::daemon {

BacktestJobs::BacktestJobs(const DaemonConfig& config)
    : config_(config), records_(config.database_url) {}

BacktestJobs::~BacktestJobs() {
  stop();
}

Result<validation::BacktestStart, Error> BacktestJobs::start(
    std::shared_ptr<const rules::RuleSet> candidate, validation::BacktestRequest request) {
  std::lock_guard lock(mutex_);
  if (is_stopping_) {
    return Error{make_error_code(store::StoreErrc::Retryable),
                 "the daemon is stopping: no backtest starts now"};
  }
  if (running_ != 0) {
    return validation::BacktestStart{running_, false};
  }
  auto plan = backtest_plan(config_);
  if (!plan) {
    return Error{make_error_code(store::StoreErrc::Fatal),
                 fmt::format("the backtest's context from the configuration: {}",
                             files::describe(plan.error(), "; "))};
  }
  plan->period = request.period;
  plan->analyzers = request.analyzers;
  plan->stop = &is_stopping_;
  request.candidate_version = candidate->version();
  auto id = records_.start(request);
  if (!id) {
    return id.error();
  }
  if (thread_.joinable()) {
    thread_.join();  // the previous backtest's thread, done
  }
  running_ = *id;
  thread_ = std::thread(
      [this, id = *id, candidate = std::move(candidate), plan = std::move(*plan)]() mutable {
        run(id, std::move(candidate), std::move(plan));
      });
  return validation::BacktestStart{*id, true};
}

void BacktestJobs::run(long long id, std::shared_ptr<const rules::RuleSet> candidate,
                       validation::BacktestPlan plan) {
  spdlog::info("backtest {} of rule set {}: started", id, candidate->version());
  validation::PostgresSpecimenArchive archive(config_.database_url);
  auto history = std::make_shared<rules::DatabaseResultArchive>(config_.database_url,
                                                                std::chrono::milliseconds(60000));
  auto done = validation::run_started_backtest(id, std::move(candidate), archive,
                                               std::move(history), records_, std::move(plan));
  if (done) {
    spdlog::info("backtest {}: done, {} specimens, {} false negatives", id, done->specimens,
                 done->false_negative_results);
  } else {
    spdlog::warn("{}", done.error().detail);
  }
  std::lock_guard lock(mutex_);
  running_ = 0;
}

void BacktestJobs::stop() {
  is_stopping_ = true;
  std::thread running;
  {
    std::lock_guard lock(mutex_);
    running = std::move(thread_);
  }
  if (running.joinable()) {
    running.join();
  }
}

}  // namespace hemalink::daemon
