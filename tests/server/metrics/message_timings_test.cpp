#include "server/metrics/message_timings.hpp"

#include "server/metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace hemalink::metrics {
namespace {

using namespace std::chrono_literals;
using Clock = MessageTimes::Clock;

MessageTimes times(Clock::duration read, Clock::duration commit, Clock::duration answer) {
  MessageTimes t;
  t.received = Clock::now();
  t.read = t.received + read;
  t.committed = t.read + commit;
  t.answered = t.committed + answer;
  return t;
}

TEST(MessageTimings, EachStageFallsInItsBucket) {
  MessageTimings timings;
  timings.record(times(300us, 1500us, 40us));
  timings.record(times(80us, 30ms, 40us));
  EXPECT_EQ(timings.count(MessageTimings::Read), 2U);
  EXPECT_EQ(timings.count_within(MessageTimings::Read, 0.0001), 1U) << "80 us <= 100 us";
  EXPECT_EQ(timings.count_within(MessageTimings::Read, 0.0005), 2U);
  EXPECT_EQ(timings.count_within(MessageTimings::Commit, 0.002), 1U);
  EXPECT_EQ(timings.count_within(MessageTimings::Commit, 0.05), 2U);
  EXPECT_EQ(timings.count_within(MessageTimings::Total, 0.002), 1U) << "1.84 ms in all";
}

TEST(MessageTimings, AStageNotReachedIsNotCounted) {
  MessageTimings timings;
  MessageTimes spooled_unread;
  spooled_unread.received = Clock::now();
  spooled_unread.committed = spooled_unread.received + 2s;
  spooled_unread.answered = spooled_unread.committed + 100us;
  timings.record(spooled_unread);
  EXPECT_EQ(timings.count(MessageTimings::Read), 0U);
  EXPECT_EQ(timings.count(MessageTimings::Commit), 0U);
  EXPECT_EQ(timings.count(MessageTimings::Answer), 1U);
  EXPECT_EQ(timings.count(MessageTimings::Total), 1U);
  EXPECT_LT(seconds_between(spooled_unread.received, spooled_unread.read), 0);
}

// Every line is a comment or `name{labels} value`; buckets are cumulative and end at +Inf, which
// equals _count.
TEST(MessageTimings, PrometheusTextIsWellFormedAndCumulative) {
  MessageTimings timings;
  timings.record(times(300us, 1500us, 40us));
  timings.record(times(80us, 30ms, 40us));
  PrometheusText p;
  timings.write(p);
  std::istringstream text(p.text());
  const std::regex sample(
      R"re(hemalink_message_stage_seconds_(bucket|sum|count)\{stage="(read|commit|answer|total)"(,le="([^"]+)")?\} ([0-9.e+-]+))re");
  std::map<std::string, std::vector<double>> buckets;
  std::map<std::string, double> counts;
  std::string line;
  int samples = 0;
  while (std::getline(text, line)) {
    if (line.starts_with("#")) {
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    ++samples;
    const double value = std::stod(m[5]);
    if (m[1] == "bucket") {
      auto& b = buckets[m[2]];
      EXPECT_TRUE(b.empty() || b.back() <= value) << "cumulative: " << line;
      b.push_back(value);
    } else if (m[1] == "count") {
      counts[m[2]] = value;
    }
  }
  EXPECT_EQ(samples, 4 * (static_cast<int>(MessageTimings::kBuckets.size()) + 3));
  for (const auto& [stage, b] : buckets) {
    EXPECT_EQ(b.back(), counts[stage]) << stage;
    EXPECT_EQ(b.back(), 2) << stage;
  }
}

}  // namespace
}  // namespace hemalink::metrics
