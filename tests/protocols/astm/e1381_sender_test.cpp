// The sending side of the E1381 link (CLSI LIS01-A2): what hemalink sends to an analyzer
// (host-query answers, orders).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "protocols/astm/e1381_link.hpp"
#include "tests/support/link_recorder.hpp"

namespace hemalink::astm {
namespace {

using testing::frame;
using testing::LinkRecorder;
using testing::visible;

const std::string kAck(1, ctl::kAck);
const std::string kNak(1, ctl::kNak);
const std::string kEnq(1, ctl::kEnq);
const std::string kEot(1, ctl::kEot);

const std::string kReply = "H|\\^&|||hemalink\rQ|1|^0001||ALL\rL|1|N\r";

TEST(E1381Send, SendsEnqThenOneFramePerRecordThenEot) {
  LinkRecorder r;
  E1381Link link({}, r);
  const auto id = link.send(kReply);
  EXPECT_EQ(r.take_written(), "<ENQ>");
  EXPECT_EQ(r.armed, "Phase 15000ms");
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(1, "H|\\^&|||hemalink\r")));
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(2, "Q|1|^0001||ALL\r")));
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(3, "L|1|N\r")));
  EXPECT_TRUE(r.sent.empty());
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), "<EOT>");
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].first, id);
  EXPECT_FALSE(r.sent[0].second);
  EXPECT_TRUE(link.is_idle());
}

TEST(E1381Send, SplitsLongRecordsAt240CharactersWithEtb) {
  const std::string record = "O|1|" + std::string(500, 'x') + "\r";
  LinkRecorder r;
  E1381Link link({}, r);
  link.send("H|\\^&\r" + record + "L|1|N\r");
  link.feed(as_bytes(kAck));  // ENQ accepted: H frame
  r.take_written();
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(2, record.substr(0, 240), false)));
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(3, record.substr(240, 240), false)));
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), visible(frame(4, record.substr(480))));
}

TEST(E1381Send, RetransmitsTheSameFrameOnNakAndGivesUpAfterSixTransmissions) {
  LinkRecorder r;
  E1381Link link({}, r);
  const auto id = link.send(kReply);
  link.feed(as_bytes(kAck));
  const std::string first = r.take_written();
  for (int i = 2; i <= 6; ++i) {
    link.feed(as_bytes(kNak));
    EXPECT_EQ(r.take_written(), visible(frame(1, "H|\\^&|||hemalink\r"))) << "transmission " << i;
  }
  link.feed(as_bytes(kNak));
  EXPECT_EQ(r.take_written(), "<EOT>");
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].first, id);
  EXPECT_EQ(r.sent[0].second, Errc::RetryLimitReached);
  EXPECT_TRUE(link.is_idle());
}

TEST(E1381Send, AnyReplyOtherThanAckOrEotCountsAsNak) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  r.take_written();
  link.feed(as_bytes(kAck));
  const std::string h = r.take_written();
  link.feed(as_bytes("x"));
  EXPECT_EQ(r.take_written(), h);
}

TEST(E1381Send, EndsTheTransferWhenAFrameGetsNoReply) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  link.feed(as_bytes(kAck));
  r.take_written();
  EXPECT_EQ(r.armed, "Phase 15000ms");
  link.on_timeout(LinkTimer::Phase);
  EXPECT_EQ(r.take_written(), "<EOT>");
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].second, Errc::ReplyTimeout);
}

TEST(E1381Send, WaitsTheBusyDelayAfterNakToEnqThenTriesAgain) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  r.take_written();
  link.feed(as_bytes(kNak));
  EXPECT_EQ(r.take_written(), "");
  EXPECT_EQ(r.armed, "SendBackoff 10000ms");
  EXPECT_TRUE(link.is_idle());
  link.on_timeout(LinkTimer::SendBackoff);
  EXPECT_EQ(r.take_written(), "<ENQ>");
}

TEST(E1381Send, ReportsAnAnalyzerThatStaysBusy) {
  LinkOptions options;
  options.max_enq_attempts = 3;
  LinkRecorder r;
  E1381Link link(options, r);
  link.send(kReply);
  for (int i = 0; i < 3; ++i) {
    link.feed(as_bytes(kNak));
    link.on_timeout(LinkTimer::SendBackoff);
  }
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].second, Errc::PeerBusy);
  EXPECT_EQ(r.take_written(), "<ENQ><ENQ><ENQ>");
}

TEST(E1381Send, SendsEotWhenEnqGetsNoReplyAndRetriesLater) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  r.take_written();
  link.on_timeout(LinkTimer::Phase);
  EXPECT_EQ(r.take_written(), "<EOT>");
  EXPECT_EQ(r.armed, "SendBackoff 10000ms");
  link.on_timeout(LinkTimer::SendBackoff);
  EXPECT_EQ(r.take_written(), "<ENQ>");
}

TEST(E1381Send, YieldsToTheAnalyzerOnContention) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  EXPECT_EQ(r.take_written(), "<ENQ>");
  link.feed(as_bytes(kEnq));  // both sides bid: the analyzer wins
  EXPECT_EQ(r.take_written(), "") << "the computer system does not answer the contending ENQ";
  EXPECT_EQ(r.armed, "SendBackoff 20000ms");
  EXPECT_EQ(r.notices.back(), LinkNotice::Contention);
  // The analyzer's next ENQ (after its 1 s) is answered and its message received.
  link.feed(as_bytes(kEnq));
  EXPECT_EQ(r.take_written(), "<ACK>");
  link.feed(as_bytes(frame(1, "H|\\^&\rL|1|N\r") + kEot));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.take_written(), "<ACK>") << "no ENQ of ours before the back-off ends";
  link.on_timeout(LinkTimer::SendBackoff);
  EXPECT_EQ(r.take_written(), "<ENQ>");
  EXPECT_EQ(link.outbound_queued(), 1u);
}

TEST(E1381Send, HonoursAReceiverInterrupt) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  link.feed(as_bytes(kAck));
  r.take_written();
  link.feed(as_bytes(kEot));  // the analyzer wants the line
  EXPECT_EQ(r.take_written(), "<EOT>");
  EXPECT_EQ(r.armed, "SendBackoff 15000ms");
  EXPECT_EQ(r.notices.back(), LinkNotice::ReceiverInterrupt);
  EXPECT_TRUE(r.sent.empty()) << "the partial message is sent again from its start";
  link.on_timeout(LinkTimer::SendBackoff);
  link.feed(as_bytes(kAck));
  EXPECT_EQ(r.take_written(), "<ENQ>" + visible(frame(1, "H|\\^&|||hemalink\r")));
}

TEST(E1381Send, CanTreatAReceiverInterruptAsAck) {
  LinkOptions options;
  options.honour_receiver_interrupt = false;
  LinkRecorder r;
  E1381Link link(options, r);
  link.send(kReply);
  link.feed(as_bytes(kAck));
  r.take_written();
  link.feed(as_bytes(kEot));
  EXPECT_EQ(r.take_written(), visible(frame(2, "Q|1|^0001||ALL\r")));
}

TEST(E1381Send, RefusesMessagesBeyondTheQueueLimit) {
  LinkOptions options;
  options.max_outbound_messages = 2;
  LinkRecorder r;
  E1381Link link(options, r);
  EXPECT_NE(link.send(kReply), 0u);
  EXPECT_NE(link.send(kReply), 0u);
  EXPECT_EQ(link.send(kReply), 0u);
}

TEST(E1381Send, ReportsQueuedMessagesAsUnsentWhenTheLinkCloses) {
  LinkRecorder r;
  E1381Link link({}, r);
  link.send(kReply);
  link.send(kReply);
  link.finish();
  ASSERT_EQ(r.sent.size(), 2u);
  EXPECT_EQ(r.sent[0].second, Errc::LinkClosed);
}

// Two links wired back to back: what one sends, the other receives, byte for byte.
class Wire : public LinkRecorder {
 public:
  E1381Link* peer = nullptr;
  void on_write(std::string_view bytes) override {
    LinkRecorder::on_write(bytes);
    pending.append(bytes);
  }
  std::string pending;
};

TEST(E1381Loopback, WhatOneLinkSendsTheOtherReceivesIntact) {
  Wire a;
  Wire b;
  E1381Link sender({}, a);
  E1381Link receiver({}, b);
  std::string message = "H|\\^&|||hemalink\r";
  for (int i = 1; i <= 20; ++i) {
    message += fmt::format("O|{}|S{}||^^^^{}|R\r", i, i, std::string(30 * i, 'x'));
  }
  message += "L|1|N\r";
  sender.send(message);
  sender.send("H|\\^&\rL|1|N\r");
  // Shuttle bytes until both sides are quiet.
  for (int round = 0; round < 1000 && (!a.pending.empty() || !b.pending.empty()); ++round) {
    std::string to_receiver = std::move(a.pending);
    a.pending.clear();
    receiver.feed(as_bytes(to_receiver));
    std::string to_sender = std::move(b.pending);
    b.pending.clear();
    sender.feed(as_bytes(to_sender));
  }
  ASSERT_EQ(b.messages.size(), 2u);
  EXPECT_EQ(b.messages[0], message);
  EXPECT_EQ(b.messages[1], "H|\\^&\rL|1|N\r");
  ASSERT_EQ(a.sent.size(), 2u);
  EXPECT_FALSE(a.sent[0].second);
  EXPECT_FALSE(a.sent[1].second);
  EXPECT_TRUE(b.errors.empty());
  EXPECT_TRUE(sender.is_idle());
  EXPECT_TRUE(receiver.is_idle());
}

}  // namespace
}  // namespace hemalink::astm
