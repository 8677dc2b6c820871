#include "server/api/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace hemalink::api {
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

}  // namespace
}  // namespace hemalink::api
