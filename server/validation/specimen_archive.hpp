#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/qc/control_history.hpp"
#include "server/validation/archived_specimen.hpp"

namespace hemalink::validation {

/// Which stretch of the archive a backtest replays.
struct ArchivePeriod {
  std::optional<TimePoint> from;  ///< Received at or after it; none: from the first.
  std::optional<TimePoint> to;    ///< Received before it; none: up to now.
};

/// The lab's archive as a backtest reads it: patient specimens in the order they arrived, with
/// their results, decisions and outcomes, and the QC judgements in the order they were made.
class SpecimenArchive {
 public:
  virtual ~SpecimenArchive() = default;

  /// How many patient specimen transmissions the period holds (the progress bar's whole).
  virtual Result<long long, Error> count(const ArchivePeriod& period) = 0;

  /// Every patient specimen of the period, oldest first (received time, then row), handed to
  /// `take` a batch at a time; memory holds one batch. `take` returns false to stop.
  virtual Result<void, Error> replay(
      const ArchivePeriod& period,
      const std::function<bool(std::vector<ArchivedSpecimen>& batch)>& take) = 0;

  /// Every QC judgement and patient-average point stored before the period's end, oldest first.
  virtual Result<qc::QcHistory, Error> quality_control(const ArchivePeriod& period) = 0;

  /// True when the lab takes orders (the archive holds any): results are then checked against
  /// the orders on their specimen, as they were.
  virtual Result<bool, Error> has_orders() = 0;
};

}  // namespace hemalink::validation
