#pragma once

#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/rules/rule_file.hpp"
#include "server/validation/backtest_report.hpp"
#include "server/validation/specimen_archive.hpp"

namespace hemalink::validation {

/// A backtest asked for: the candidate (its version and files), who asked, and what it replays.
struct BacktestRequest {
  std::string candidate_version;
  std::vector<rules::RuleSource> candidate;
  std::string requested_by;  ///< user:<name> or cli:<user>.
  ArchivePeriod period;
  std::vector<std::string> analyzers;
};

/// Where backtests are kept with their progress and report (the evidence a promotion names).
/// Errors carry a store::StoreErrc.
class BacktestRecords {
 public:
  virtual ~BacktestRecords() = default;
  /// A new backtest, running; its ID.
  virtual Result<long long, Error> start(const BacktestRequest& request) = 0;
  virtual Result<void, Error> progress(long long id, long long done, long long total) = 0;
  virtual Result<void, Error> finish(long long id, const BacktestReport& report) = 0;
  virtual Result<void, Error> fail(long long id, const std::string& why) = 0;
  /// One backtest as JSON (id, candidate_version, requested_by, period, analyzers, status,
  /// specimens_total, specimens_done, false_negatives, report, error, started_at, finished_at);
  /// an empty string when there is none.
  virtual Result<std::string, Error> find(long long id) = 0;
  /// The latest `limit` backtests as a JSON array, newest first, without their reports.
  virtual Result<std::string, Error> list(std::size_t limit) = 0;
};

}  // namespace hemalink::validation
