#include "tests/support/lab_day_play.hpp"

#include <gtest/gtest.h>

#include <map>

#include "server/review/review_queue.hpp"
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

long long review_as_the_truth_says(DaemonHarness& lab, const simulate::LabDay& day) {
  std::map<std::string, bool> must_review;
  for (const auto& s : day.specimens) {
    must_review[s.id] = s.truth.must_review;
  }
  const auto held = lab.query_rows(
      "SELECT r.id, r.specimen_id FROM decisions d JOIN results r ON r.id = d.result_id"
      " WHERE d.is_current AND d.decision = 'hold' AND NOT r.is_qc ORDER BY r.id");
  long long reviewed = 0;
  for (const auto& row : held) {
    review::ReviewAction a;
    a.result_id = std::stoll(row[0]);
    a.actor = "user:ana";
    const auto truth = must_review.find(row[1]);
    EXPECT_NE(truth, must_review.end()) << "specimen " << row[1] << " is not of the day";
    const bool needs_a_person = truth != must_review.end() && truth->second;
    a.verdict = !needs_a_person        ? review::ReviewVerdict::Release
                : a.result_id % 2 == 0 ? review::ReviewVerdict::Rerun
                                       : review::ReviewVerdict::Reject;
    a.comment = needs_a_person ? "smear: not to be reported as measured" : "checked";
    auto done = review::apply_review_action(lab.dsn(), {}, a);
    EXPECT_TRUE(done) << done.error().detail;
    if (done) {
      EXPECT_EQ(done->outcome, review::ReviewOutcome::Applied);
    }
    ++reviewed;
  }
  return reviewed;
}

}  // namespace hemalink::testing
