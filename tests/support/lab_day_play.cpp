#include "tests/support/lab_day_play.hpp"

#include <gtest/gtest.h>

#include "server/simulate/lab_day_messages.hpp"
#include "tests/support/order_feed_lab.hpp"

namespace hemalink::testing {

using namespace std::chrono_literals;
using simulate::Answer;
using simulate::Bench;

void play_lab_day(DaemonHarness& lab, const simulate::LabDay& day) {
  const auto day_start = std::chrono::system_clock::now() - 24h;
  std::vector<std::string> orders;
  for (const auto& s : day.specimens) {
    orders.push_back(simulate::lis_order(day, s, day_start));
  }
  const auto ordered = send_messages(lab.daemon().order_feed_port("lis"), model::WireProtocol::Hl7,
                                     std::move(orders));
  for (const auto& r : ordered.results) {
    ASSERT_EQ(r.answer, Answer::Acknowledged) << r.detail;
  }
  const std::pair<Bench, const char*> benches[] = {
      {Bench::Hematology, "xn-1"}, {Bench::Coagulation, "cs-1"}, {Bench::Flow, "facs-lis"}};
  for (const auto& [bench, analyzer] : benches) {
    const auto protocol =
        bench == Bench::Flow ? model::WireProtocol::Hl7 : model::WireProtocol::Astm;
    auto traffic = simulate::bench_traffic(day, bench, day_start, bench == Bench::Hematology);
    const auto sent = send_messages(lab.port(analyzer), protocol, std::move(traffic));
    for (const auto& r : sent.results) {
      ASSERT_EQ(r.answer, Answer::Acknowledged) << analyzer << ": " << r.detail;
    }
  }
}

}  // namespace hemalink::testing
