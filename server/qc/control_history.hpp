#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/qc/qc_definitions.hpp"
#include "server/records/average_point.hpp"
#include "server/records/control_judgement.hpp"
#include "server/store/errc.hpp"

namespace hemalink::qc {

/// What the QC state is rebuilt from at start-up: each control's last `per_control` judgements
/// (its target, its place in recent runs, the gate of its test), oldest first; and the latest
/// point of each patient-based average.
struct QcHistory {
  std::vector<records::StoredJudgement> judgements;
  std::vector<records::StoredAveragePoint> averages;
  std::vector<QcDefinitionRow> definitions;  ///< Put through the API.
};

/// Every judgement and patient-average point stored before `before` (none: all), oldest first,
/// without definitions: what a backtest replays to know each test's gate when each specimen came.
Result<QcHistory, store::StoreError> control_timeline(
    const std::string& dsn, std::optional<std::chrono::system_clock::time_point> before);

Result<QcHistory, store::StoreError> control_history(const std::string& dsn,
                                                     std::size_t per_control);

}  // namespace hemalink::qc
