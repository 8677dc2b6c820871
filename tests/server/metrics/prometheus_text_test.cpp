#include "server/metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace hemalink::metrics {
namespace {

TEST(PrometheusText, FamiliesAndSamplesAreWrittenAsTheFormatSays) {
  PrometheusText p;
  p.family("hemalink_messages_total", "counter", "Messages.\nBy analyzer \\ outcome.");
  p.sample("hemalink_messages_total", {{"analyzer", "xn \"1\"\\a\nb"}, {"outcome", "stored"}}, 3);
  p.sample("hemalink_up", {}, 0.25);
  p.sample("hemalink_inf", {}, std::numeric_limits<double>::infinity());
  EXPECT_EQ(p.text(),
            "# HELP hemalink_messages_total Messages.\\nBy analyzer \\\\ outcome.\n"
            "# TYPE hemalink_messages_total counter\n"
            "hemalink_messages_total{analyzer=\"xn \\\"1\\\"\\\\a\\nb\",outcome=\"stored\"} 3\n"
            "hemalink_up 0.25\n"
            "hemalink_inf +Inf\n");
}

// Per-bucket counts become cumulative buckets that end at +Inf, which _count equals; the labels of
// the series come before le.
TEST(PrometheusText, AHistogramsBucketsAreCumulativeAndEndAtInfinity) {
  PrometheusText p;
  const double bounds[] = {0.001, 0.5};
  const std::uint64_t counts[] = {2, 0, 3};
  p.histogram("hemalink_send_seconds", {{"destination", "lis"}}, bounds, counts, 7.25);
  EXPECT_EQ(p.text(),
            "hemalink_send_seconds_bucket{destination=\"lis\",le=\"0.001\"} 2\n"
            "hemalink_send_seconds_bucket{destination=\"lis\",le=\"0.5\"} 2\n"
            "hemalink_send_seconds_bucket{destination=\"lis\",le=\"+Inf\"} 5\n"
            "hemalink_send_seconds_sum{destination=\"lis\"} 7.25\n"
            "hemalink_send_seconds_count{destination=\"lis\"} 5\n");
}

}  // namespace
}  // namespace hemalink::metrics
