#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

namespace hemalink::qc {

/// How patient results are averaged between control runs (patient-based real-time QC):
/// Bull's algorithm (XbarM) on red-cell indices, a moving average of the last `block` results,
/// or an exponentially weighted moving average.
enum class AverageMethod { XbarM, MovingAverage, Ewma };

/// "xbarm", "ma", "ewma".
const char* to_string(AverageMethod method);

/// One average a lab watches: the analyzer and test, the method and its parameters, the target
/// and the control limits, and whether an excursion acts on the QC gate.
struct AverageSettings {
  std::string analyzer;
  std::string test;
  AverageMethod method = AverageMethod::XbarM;
  /// XbarM: the batch size (Bull: 20). MA: how many results the average spans.
  std::size_t block = 20;
  /// EWMA: the weight of each new result.
  double lambda = 0.1;
  /// MA and EWMA: a point (stored, judged against the limits) every this many results.
  std::size_t every = 10;
  /// Results outside these are left out of the average (the literature's truncation limits).
  std::optional<double> truncate_below;
  std::optional<double> truncate_above;
  double target = 0;
  double low = 0;   ///< The average below this is an excursion.
  double high = 0;  ///< The average above this is an excursion.
  /// An excursion (an alarm) is this many consecutive points outside [low, high]; a point outside
  /// before then is marked, like a 1-2s warning. Bull's XbarM wanders: one batch outside 3 % now
  /// and then is chance, two in a row rarely are (docs/qc.md gives the measured rates).
  std::size_t confirm = 1;
  bool acts_on_gate = false;
};

/// Where the average stood when it was judged.
struct AveragePoint {
  double value = 0;
  std::size_t results = 0;    ///< Patient results in the average since it began (or resumed).
  std::size_t outside = 0;    ///< Consecutive points outside the limits, this one included.
  bool is_excursion = false;  ///< `confirm` or more points in a row outside: an alarm.
};

/// One analyzer's average of one test, fed patient results one by one. No I/O, no clock.
class PatientAverage {
 public:
  explicit PatientAverage(AverageSettings settings);

  /// Adds a patient result: a point when a batch (XbarM) or `every` results (MA, EWMA) are
  /// complete, nothing otherwise or when the value is truncated.
  std::optional<AveragePoint> add(double value);
  /// Carries on from a stored point (a restart): the average stands where it stood, and so does
  /// the count of points in a row outside the limits.
  void resume(double value, std::size_t outside);

  const AverageSettings& settings() const { return settings_; }
  std::optional<double> value() const { return average_; }

 private:
  std::optional<AveragePoint> add_to_batch(double value);
  std::optional<AveragePoint> add_to_stream(double value);
  AveragePoint point(double value);

  AverageSettings settings_;
  std::optional<double> average_;
  std::deque<double> pending_;  ///< XbarM: the batch; MA: the span.
  std::size_t since_point_ = 0;
  std::size_t results_ = 0;
  std::size_t outside_ = 0;
};

/// Bull's algorithm: the next XbarM from the previous one and a batch of results. Each result's
/// distance from the previous mean counts by its square root (so outliers weigh little); the mean
/// moves by the square of their signed average.
double bull_xbarm(double previous, const std::deque<double>& batch);

}  // namespace hemalink::qc
