#pragma once

#include <chrono>
#include <cstddef>

namespace hemalink::qc {

/// How control results are grouped and judged, and how long a judgement holds.
struct QcPolicy {
  /// A control without a target sets one from this many first results (mean and sample SD).
  std::size_t establish_runs = 20;
  /// Levels of one test measured within this long of the run's first, each once, are one run.
  std::chrono::minutes run_window{60};
  /// Without an accepted run this long, a test's status is unknown.
  std::chrono::minutes interval{24 * 60};
};

}  // namespace hemalink::qc
