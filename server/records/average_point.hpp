#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace hemalink::records {

/// Where a patient-based average (XbarM, moving average, EWMA) of one test on one analyzer stood
/// when it was judged against its limits: stored with the message that completed it
/// (`qc_patient_averages`).
struct AveragePointRow {
  std::string test;
  std::string method;  ///< xbarm, ma, ewma.
  double value = 0;
  std::size_t results = 0;  ///< Patient results averaged since it began or resumed.
  double target = 0;
  double low = 0;
  double high = 0;
  std::size_t outside = 0;    ///< Points in a row outside [low, high], this one included.
  bool is_excursion = false;  ///< Outside for the configured number of points in a row: an alarm.
  bool acts_on_gate = false;  ///< The excursion puts the test's QC gate out.
};

/// A point as stored, with its analyzer and time: the averages resume from the latest.
struct StoredAveragePoint {
  std::string analyzer;
  std::chrono::system_clock::time_point at{};
  AveragePointRow point;
};

}  // namespace hemalink::records
