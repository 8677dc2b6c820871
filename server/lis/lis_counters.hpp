#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace hemalink::lis {

/// What one LIS destination did since start, for the metrics of the HTTP API. Depth and the age
/// of the oldest pending row are read from the database (OutboxAdmin::depths) instead.
struct LisCounters {
  /// Upper bounds, in milliseconds, of the send-latency buckets (write to acknowledgement).
  static constexpr std::array<double, 10> kLatencyBucketsMs = {1,  2,   5,   10,   20,
                                                               50, 100, 500, 1000, 10000};

  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed_attempts{0};  ///< Refused, timed out or cut off: retried.
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> dead{0};
  std::atomic<std::uint64_t> ignored_replies{0};  ///< Late, unframed or MSA-less replies.
  std::atomic<std::uint64_t> connections{0};
  std::array<std::atomic<std::uint64_t>, kLatencyBucketsMs.size() + 1> latency_buckets{};
  std::atomic<std::uint64_t> latency_sum_us{0};

  void record_latency(std::chrono::steady_clock::duration d) {
    const double ms = std::chrono::duration<double, std::milli>(d).count();
    std::size_t i = 0;
    while (i < kLatencyBucketsMs.size() && ms > kLatencyBucketsMs[i]) {
      ++i;
    }
    latency_buckets[i].fetch_add(1, std::memory_order_relaxed);
    latency_sum_us.fetch_add(static_cast<std::uint64_t>(
                                 std::chrono::duration_cast<std::chrono::microseconds>(d).count()),
                             std::memory_order_relaxed);
  }
};

}  // namespace hemalink::lis
