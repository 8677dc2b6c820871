#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/ingest/order_matching.hpp"
#include "server/qc/control_book.hpp"
#include "server/rules/result_archive.hpp"
#include "server/rules/rule_set.hpp"
#include "server/validation/backtest_report.hpp"
#include "server/validation/specimen_archive.hpp"

namespace hemalink::validation {

/// What a backtest replays and with what context.
struct BacktestPlan {
  ArchivePeriod period;
  std::vector<std::string> analyzers;  ///< Scored analyzers; empty: every analyzer.
  /// The lab's QC book, fresh (its definitions and policy); the stored judgements are replayed
  /// into it in time order. Null: a book without definitions (the stored judgements carry their
  /// targets).
  std::shared_ptr<qc::ControlBook> control_book;
  ingest::QcGatePolicy gate_policy;
  ingest::OrderPolicy order_policy;
  /// Whether results are checked against their orders; none: when the archive holds any order.
  std::optional<bool> takes_orders;
  /// Patient-and-test histories kept in memory; a miss reads the archive as it was then.
  std::size_t history_capacity = 200000;
  std::size_t false_negatives_listed = 1000;
  /// When set, the replay stops at the next batch once it is true (the daemon's shutdown) and the
  /// backtest fails, saying so. The caller keeps it alive for the run.
  const std::atomic<bool>* stop = nullptr;
};

/// Progress: specimens replayed so far, of how many (-1 while not counted).
using BacktestProgress = std::function<void(long long done, long long total)>;

/// Replays archived patient specimens, oldest first, through a candidate rule set with the
/// context as it was when each arrived: its patient's earlier results as stored before it (read
/// from `history`, the archive's results, bounded to what preceded each specimen), its
/// demographics and instrument flags as stored, the orders on its specimen as they stood, the QC
/// gate of its tests then (the stored judgements replayed up to its arrival). Each result's
/// candidate decision is compared with the live decision made then and with what became of it.
/// Specimens of analyzers not scored are replayed (they are history) and not counted.
Result<BacktestReport, Error> run_backtest(std::shared_ptr<const rules::RuleSet> candidate,
                                           SpecimenArchive& archive,
                                           std::shared_ptr<rules::ResultArchive> history,
                                           BacktestPlan plan,
                                           const BacktestProgress& progress = {});

}  // namespace hemalink::validation
