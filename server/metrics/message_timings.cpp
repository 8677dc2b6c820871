#include "server/metrics/message_timings.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "server/metrics/prometheus_text.hpp"

namespace hemalink::metrics {
namespace {

using Clock = MessageTimes::Clock;

constexpr std::array<const char*, MessageTimings::kStages> kStageNames = {"read", "commit",
                                                                          "answer", "total"};

bool is_set(Clock::time_point t) {
  return t != Clock::time_point{};
}

}  // namespace

double seconds_between(Clock::time_point from, Clock::time_point to) {
  if (!is_set(from) || !is_set(to)) {
    return -1;
  }
  return std::chrono::duration<double>(to - from).count();
}

void MessageTimings::record(const MessageTimes& t) {
  const std::array<std::pair<Clock::time_point, Clock::time_point>, kStages> spans = {
      {{t.received, t.read},
       {t.read, t.committed},
       {t.committed, t.answered},
       {t.received, t.answered}}};
  for (std::size_t s = 0; s < spans.size(); ++s) {
    const auto& [from, to] = spans[s];
    if (is_set(from) && is_set(to) && to >= from) {
      add(static_cast<Stage>(s), to - from);
    }
  }
}

void MessageTimings::add(Stage stage, std::chrono::nanoseconds took) {
  auto& h = stages_[stage];
  const double seconds = std::chrono::duration<double>(took).count();
  const auto bucket =
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  h.buckets[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  h.sum_ns.fetch_add(static_cast<std::uint64_t>(took.count()), std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t MessageTimings::count(Stage stage) const {
  return stages_[stage].count.load(std::memory_order_relaxed);
}

std::uint64_t MessageTimings::count_within(Stage stage, double le) const {
  std::uint64_t n = 0;
  const auto& h = stages_[stage];
  for (std::size_t b = 0; b < h.buckets.size(); ++b) {
    if (b < kBuckets.size() && kBuckets[b] > le) {
      break;
    }
    n += h.buckets[b].load(std::memory_order_relaxed);
  }
  return n;
}

void MessageTimings::write(PrometheusText& p) const {
  p.family("hemalink_message_stage_seconds", "histogram",
           "Time a received message spent in each stage: read (decode, translate, decide), "
           "commit, answer (to the acknowledgement written), total.");
  for (std::size_t s = 0; s < kStages; ++s) {
    const auto& h = stages_[s];
    std::array<std::uint64_t, kBuckets.size() + 1> counts{};
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = h.buckets[b].load(std::memory_order_relaxed);
    }
    p.histogram("hemalink_message_stage_seconds", {{"stage", kStageNames[s]}}, kBuckets, counts,
                static_cast<double>(h.sum_ns.load()) / 1e9);
  }
}

}  // namespace hemalink::metrics
