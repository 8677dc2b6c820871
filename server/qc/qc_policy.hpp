#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/qc/patient_average.hpp"

namespace hemalink::qc {

/// How control results are grouped and judged, and how long a judgement holds.
struct QcPolicy {
  /// A control without a target sets one from this many first results (mean and sample SD).
  std::size_t establish_runs = 20;
  /// Levels of one test measured within this long of the run's first, each once, are one run.
  std::chrono::minutes run_window{60};
  /// Without an accepted run this long, a test's status is unknown.
  std::chrono::minutes interval{24 * 60};

  /// Bull's XbarM on the red-cell indices of every analyzer that reports them, unless an
  /// analyzer's own average of the test is configured in `averages`.
  struct Xbarm {
    bool is_enabled = true;
    std::size_t batch = 20;
    double limit_pct = 3.0;
    /// Batches in a row outside the limits that make an alarm (AverageSettings::confirm).
    std::size_t confirm_batches = 2;
    /// Bull's population targets; a lab sets its own (its analyzers' long-run XbarM).
    std::map<std::string, double, std::less<>> targets = {
        {"MCV", 89.5}, {"MCH", 30.5}, {"MCHC", 34.0}};
    bool acts_on_gate = false;
  } xbarm;
  /// Averages of one test on one analyzer (XbarM with the lab's own targets, MA, EWMA).
  std::vector<AverageSettings> averages;

  /// The average watched for `test` on `analyzer`, if any.
  std::optional<AverageSettings> average_of(std::string_view analyzer, std::string_view test) const;
};

}  // namespace hemalink::qc
