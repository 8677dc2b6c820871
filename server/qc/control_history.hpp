#pragma once

#include <cstddef>
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

Result<QcHistory, store::StoreError> control_history(const std::string& dsn,
                                                     std::size_t per_control);

}  // namespace hemalink::qc
