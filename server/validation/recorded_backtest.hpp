#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/validation/backtest.hpp"
#include "server/validation/backtest_records.hpp"

namespace hemalink::validation {

struct RecordedBacktest {
  long long id = 0;
  BacktestReport report;
};

/// Runs a backtest kept in `records`: started (running), its progress written at most about once
/// a second, then done with its report, or failed with the error (which is also returned, with
/// the ID in its detail). `progress`, when given, is told too.
Result<RecordedBacktest, Error> run_recorded_backtest(
    std::shared_ptr<const rules::RuleSet> candidate, BacktestRequest request,
    SpecimenArchive& archive, std::shared_ptr<rules::ResultArchive> history,
    BacktestRecords& records, BacktestPlan plan, const BacktestProgress& progress = {});

/// Runs the backtest `id`, started in `records` already (running), as run_recorded_backtest
/// does after starting it: for a caller that answers with the ID before the replay (the API).
Result<BacktestReport, Error> run_started_backtest(long long id,
                                                   std::shared_ptr<const rules::RuleSet> candidate,
                                                   SpecimenArchive& archive,
                                                   std::shared_ptr<rules::ResultArchive> history,
                                                   BacktestRecords& records, BacktestPlan plan,
                                                   const BacktestProgress& progress = {});

}  // namespace hemalink::validation
