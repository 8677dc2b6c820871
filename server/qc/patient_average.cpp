#include "server/qc/patient_average.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hemalink::qc {

const char* to_string(AverageMethod method) {
  switch (method) {
    case AverageMethod::XbarM:
      return "xbarm";
    case AverageMethod::MovingAverage:
      return "ma";
    case AverageMethod::Ewma:
      break;
  }
  return "ewma";
}

double bull_xbarm(double previous, const std::deque<double>& batch) {
  double sum = 0;
  for (const double x : batch) {
    const double d = x - previous;
    sum += std::copysign(std::sqrt(std::fabs(d)), d);
  }
  const double mean = sum / static_cast<double>(batch.size());
  return previous + std::copysign(mean * mean, mean);
}

PatientAverage::PatientAverage(AverageSettings settings) : settings_(std::move(settings)) {
  if (settings_.method != AverageMethod::MovingAverage) {
    average_ = settings_.target;  // Bull's algorithm and the EWMA start from the target
  }
}

void PatientAverage::resume(double value, std::size_t outside) {
  if (settings_.method != AverageMethod::MovingAverage) {
    average_ = value;  // a moving average's span starts again
  }
  outside_ = outside;
  pending_.clear();
  since_point_ = 0;
}

std::optional<AveragePoint> PatientAverage::add(double value) {
  if (!std::isfinite(value) || (settings_.truncate_below && value < *settings_.truncate_below) ||
      (settings_.truncate_above && value > *settings_.truncate_above)) {
    return std::nullopt;
  }
  ++results_;
  return settings_.method == AverageMethod::XbarM ? add_to_batch(value) : add_to_stream(value);
}

std::optional<AveragePoint> PatientAverage::add_to_batch(double value) {
  pending_.push_back(value);
  if (pending_.size() < settings_.block) {
    return std::nullopt;
  }
  average_ = bull_xbarm(*average_, pending_);
  pending_.clear();
  return point(*average_);
}

std::optional<AveragePoint> PatientAverage::add_to_stream(double value) {
  if (settings_.method == AverageMethod::Ewma) {
    average_ = settings_.lambda * value + (1 - settings_.lambda) * *average_;
  } else {
    pending_.push_back(value);
    if (pending_.size() > settings_.block) {
      pending_.pop_front();
    }
    average_ = std::accumulate(pending_.begin(), pending_.end(), 0.0) /
               static_cast<double>(pending_.size());
  }
  if (++since_point_ < settings_.every) {
    return std::nullopt;
  }
  if (settings_.method == AverageMethod::MovingAverage && pending_.size() < settings_.block) {
    since_point_ = 0;
    return std::nullopt;  // a span not yet full is not judged
  }
  since_point_ = 0;
  return point(*average_);
}

AveragePoint PatientAverage::point(double value) {
  outside_ = value < settings_.low || value > settings_.high ? outside_ + 1 : 0;
  return {value, results_, outside_, outside_ >= std::max<std::size_t>(settings_.confirm, 1)};
}

}  // namespace hemalink::qc
