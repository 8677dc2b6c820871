#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace hemalink::records {

/// How quality control judged one control result as it arrived: stored with the result, in the
/// same transaction (the `qc_evaluations` table).
struct ControlJudgement {
  std::size_t set = 0;          ///< Which result set of its message,
  std::size_t observation = 0;  ///< and which result of the set.
  std::string test;
  std::string material;
  std::string level;
  std::string lot;
  double value = 0;
  /// Still among the control's first runs, which set its target: shown, not judged.
  bool is_establishing = false;
  std::optional<double> mean;  ///< The target in force (or just established).
  std::optional<double> sd;
  std::optional<double> z;  ///< (value - mean) / sd, when judged.
  /// The run it belongs to (the levels of one test measured together) and when that began.
  std::string run_id;
  std::chrono::system_clock::time_point run_started_at{};
  struct RunValue {
    std::string level;  ///< The control, as the rules name it ("level 2 lot 4411").
    double z = 0;
  };
  std::vector<RunValue> run_values;  ///< The run so far, this value last.
  struct Violation {
    std::string rule;  ///< 1-2s, 1-3s, 2-2s, R-4s, 4-1s, 8-x, 10-x, 12-x.
    std::string detail;
  };
  std::vector<Violation> violations;
  bool run_rejected = false;
  /// What identifies the measurement (a retransmission or a replay is judged once).
  std::string measurement;
};

/// A judgement as stored, with its analyzer and when its message arrived: what the QC state is
/// rebuilt from at start-up.
struct StoredJudgement {
  std::string analyzer;
  std::chrono::system_clock::time_point evaluated_at{};
  ControlJudgement judgement;
};

}  // namespace hemalink::records
