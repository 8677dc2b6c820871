#include "server/validation/recorded_backtest.hpp"

#include <fmt/format.h>

#include <chrono>

namespace hemalink::validation {

Result<RecordedBacktest, Error> run_recorded_backtest(
    std::shared_ptr<const rules::RuleSet> candidate, BacktestRequest request,
    SpecimenArchive& archive, std::shared_ptr<rules::ResultArchive> history,
    BacktestRecords& records, BacktestPlan plan, const BacktestProgress& progress) {
  request.candidate_version = candidate->version();
  request.period = plan.period;
  request.analyzers = plan.analyzers;
  auto id = records.start(request);
  if (!id) {
    return id.error();
  }
  auto report = run_started_backtest(*id, std::move(candidate), archive, std::move(history),
                                     records, std::move(plan), progress);
  if (!report) {
    return report.error();
  }
  return RecordedBacktest{*id, std::move(*report)};
}

Result<BacktestReport, Error> run_started_backtest(long long id,
                                                   std::shared_ptr<const rules::RuleSet> candidate,
                                                   SpecimenArchive& archive,
                                                   std::shared_ptr<rules::ResultArchive> history,
                                                   BacktestRecords& records, BacktestPlan plan,
                                                   const BacktestProgress& progress) {
  using Clock = std::chrono::steady_clock;
  auto written = Clock::now() - std::chrono::seconds(1);
  auto report = run_backtest(
      std::move(candidate), archive, std::move(history), std::move(plan),
      [&](long long done, long long total) {
        if (progress) {
          progress(done, total);
        }
        if (Clock::now() - written >= std::chrono::seconds(1)) {
          written = Clock::now();
          (void)records.progress(id, done, total);  // a lost progress mark is shown late, no more
        }
      });
  if (!report) {
    const auto why = report.error().detail;
    (void)records.fail(id, why);
    return Error{report.error().code, fmt::format("backtest {}: {}", id, why)};
  }
  if (auto done = records.finish(id, *report); !done) {
    return done.error();
  }
  return report;
}

}  // namespace hemalink::validation
