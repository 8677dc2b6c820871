#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hemalink::metrics {

class PrometheusText;

/// When one message passed each point of the ingest path (steady clock; zero: it did not).
struct MessageTimes {
  using Clock = std::chrono::steady_clock;
  Clock::time_point received;   ///< Its last byte arrived.
  Clock::time_point read;       ///< Decoded, translated and decided (on a store writer).
  Clock::time_point committed;  ///< Its commit (or the spool's fsync) returned.
  Clock::time_point answered;   ///< Its acknowledgement was handed to the connection.
};

/// The stages of MessageTimes as histograms, summed over every analyzer: received -> read,
/// read -> committed, committed -> answered, and received -> answered. Prometheus buckets (seconds)
/// from 50 us to 10 s; lock-free, any thread.
class MessageTimings {
 public:
  enum Stage { Read, Commit, Answer, Total, kStages };
  static constexpr std::array<double, 16> kBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01,
      0.025,   0.05,   0.1,     0.25,   0.5,   1,     2.5,   10};

  void record(const MessageTimes& times);

  /// Messages recorded at `stage`, and how many of them took at most `le` seconds (a bucket
  /// bound; +Inf: all).
  std::uint64_t count(Stage stage) const;
  std::uint64_t count_within(Stage stage, double le) const;

  /// The histograms as `/metrics` serves them:
  /// hemalink_message_stage_seconds{stage="read|commit|answer|total"}.
  void write(PrometheusText& p) const;

 private:
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  void add(Stage stage, std::chrono::nanoseconds took);

  std::array<Histogram, kStages> stages_;
};

/// Seconds between two points of MessageTimes, or a negative number when either is missing.
double seconds_between(MessageTimes::Clock::time_point from, MessageTimes::Clock::time_point to);

}  // namespace hemalink::metrics
