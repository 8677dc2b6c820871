#pragma once

#include "protocols/common/result.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/files/file_error.hpp"
#include "server/validation/backtest.hpp"

namespace hemalink::daemon {

/// A backtest's context as the configured lab decides: a fresh QC book with the configuration's
/// control definitions and policy, its gate and order policies, whether it takes orders, and its
/// history cache's size. Fails as the configuration's analyzers or control file do.
Result<validation::BacktestPlan, files::FileErrors> backtest_plan(const DaemonConfig& config);

}  // namespace hemalink::daemon
