#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/rules/rule_set.hpp"
#include "server/validation/backtest_records.hpp"

namespace hemalink::validation {

/// What asking for a backtest came to: the one started, or the one running that refused it.
struct BacktestStart {
  long long id = 0;
  bool is_started = false;  ///< False: `id` is the backtest running (one at a time).
};

/// Backtests run in the background, one at a time, kept in BacktestRecords with their progress
/// and report (the daemon implements it, on a thread of its own). Callable from any thread.
class BacktestDesk {
 public:
  virtual ~BacktestDesk() = default;
  /// Starts a backtest of `candidate` (whose files and version `request` carries) and answers at
  /// once with its ID; or names the backtest running. Errors carry a store::StoreErrc.
  virtual Result<BacktestStart, Error> start(std::shared_ptr<const rules::RuleSet> candidate,
                                             BacktestRequest request) = 0;
  /// As BacktestRecords::find and list.
  virtual Result<std::string, Error> find(long long id) = 0;
  virtual Result<std::string, Error> list(std::size_t limit) = 0;
};

}  // namespace hemalink::validation
