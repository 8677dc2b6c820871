// The ASTM session against an analyzer played by a second E1381 link, bytes passed between the
// two by hand: no sockets, no clocks.
#include "server/session/astm_session.hpp"

#include <gtest/gtest.h>

#include "server/config/mapping_json.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/store/errc.hpp"

namespace hemalink::session {
namespace {

std::shared_ptr<ingest::MessageReader> make_reader() {
  auto i = std::make_shared<ingest::MessageReader>();
  auto mappings = config::load_mappings("sysmex-xn", "", "");
  i->add_analyzer("xn-1", drivers::make_driver("sysmex-xn", {*mappings, Charset::Latin1, {}}));
  return i;
}

class FakeIo : public AstmSessionIo {
 public:
  void write(std::string_view bytes) override { to_analyzer += bytes; }
  void submit(store::StoreRequest request,
              std::function<void(const store::Completion&)> done) override {
    requests.push_back(std::move(request));
    completions.push_back(std::move(done));
  }
  void arm_timer(astm::LinkTimer, std::chrono::milliseconds) override {}
  void cancel_timer(astm::LinkTimer) override {}
  void work_acknowledged(std::vector<long long> ids) override { taken.push_back(std::move(ids)); }

  // What the store's writer would make of request i: its own content, or the reader's.
  records::MessageContent content(std::size_t i) const {
    const auto& r = requests.at(i);
    return r.content ? *r.content : reader->read(r.receipt);
  }

  std::shared_ptr<const ingest::MessageReader> reader = make_reader();
  std::vector<std::vector<long long>> taken;
  std::string to_analyzer;
  std::vector<store::StoreRequest> requests;
  std::vector<std::function<void(const store::Completion&)>> completions;
};

// The analyzer's side of the line.
class Analyzer : public astm::LinkSink {
 public:
  void on_write(std::string_view bytes) override { to_session += bytes; }
  void on_arm_timer(astm::LinkTimer, std::chrono::milliseconds) override {}
  void on_cancel_timer(astm::LinkTimer) override {}
  void on_message(std::string_view records, astm::MessageEnd, std::size_t) override {
    received.emplace_back(records);
  }
  void on_error(const ParseError& e, std::string_view) override { ADD_FAILURE() << e.describe(); }
  void on_notice(astm::LinkNotice, std::size_t) override {}
  void on_sent(std::uint64_t, std::error_code result) override { sent.push_back(result); }

  std::string to_session;
  std::vector<std::string> received;
  std::vector<std::error_code> sent;
};

const std::string kHeader = "H|\\^&|||XN-550^00-18^11001^^^^12345678||||||||E1394-97\r";
const std::string kCbc = kHeader +
                         "P|1|||PAT1|^Doe^Jane||19800101|F\r"
                         "O|1||^^        SPEC-1^B|^^^^WBC|||||||N||||||||||||||F\r"
                         "R|1|^^^^WBC^1|6.10|10*3/uL||N||F||||20261122101500\r"
                         "R|2|^^^^HGB^1|13.2|g/dL||N||F||||20261122101500\r";
const std::string kEnd = "L|1|N\r";

class AstmSessionTest : public ::testing::Test {
 protected:
  void pump() {
    while (!io.to_analyzer.empty() || !analyzer.to_session.empty()) {
      auto to_session = std::exchange(analyzer.to_session, {});
      session.feed(as_bytes(to_session));
      auto to_analyzer = std::exchange(io.to_analyzer, {});
      analyzer_link.feed(as_bytes(to_analyzer));
    }
  }

  FakeIo io;
  Analyzer analyzer;
  astm::E1381Link analyzer_link{{}, analyzer};
  AstmSession session{{"xn-1", "sysmex-xn", "127.0.0.1:40000", 1 << 20}, {}, io};
};

TEST_F(AstmSessionTest, TheLastFrameIsAcknowledgedOnlyOnceTheStoreHasTheMessage) {
  analyzer_link.send(kCbc + kEnd);
  pump();
  ASSERT_EQ(io.requests.size(), 1U);
  EXPECT_EQ(io.requests[0].receipt.raw, kCbc + kEnd);
  EXPECT_EQ(io.requests[0].receipt.analyzer, "xn-1");
  EXPECT_EQ(io.content(0).status, records::MessageStatus::Accepted);
  ASSERT_EQ(io.content(0).result_sets.size(), 1U);
  EXPECT_EQ(io.content(0).result_sets[0].specimen_id, "SPEC-1");
  EXPECT_TRUE(analyzer.sent.empty()) << "the analyzer still waits for the final ACK";
  io.completions[0]({store::StoreOutcome::Stored, ""});
  pump();
  ASSERT_EQ(analyzer.sent.size(), 1U);
  EXPECT_FALSE(analyzer.sent[0]) << analyzer.sent[0].message();
  EXPECT_EQ(session.counts().acknowledged, 1U);
}

TEST_F(AstmSessionTest, AMessageTheStoreCouldNotKeepIsLeftUnacknowledged) {
  analyzer_link.send(kCbc + kEnd);
  pump();
  io.completions[0](store::Completion(Error{store::StoreErrc::Retryable, "queue full"}));
  pump();
  EXPECT_TRUE(analyzer.sent.empty()) << "no ACK: the analyzer times out and sends it again";
  EXPECT_EQ(session.counts().refused, 1U);
}

TEST_F(AstmSessionTest, AMessageEndedWithoutItsTerminatorIsStoredIncompleteAndHeld) {
  analyzer_link.send(kCbc);  // EOT comes before any L record
  pump();
  ASSERT_EQ(io.requests.size(), 1U);
  const auto& request = io.requests[0];
  EXPECT_EQ(request.receipt.link_status, records::MessageStatus::Incomplete);
  const auto content = io.content(0);
  EXPECT_EQ(content.status, records::MessageStatus::Incomplete);
  EXPECT_NE(content.reject_reason.find("without its L record"), std::string::npos);
  ASSERT_EQ(content.result_sets.size(), 1U);
  for (const auto& d : content.decisions[0]) {
    EXPECT_EQ(d.verdict, model::Verdict::Hold);
  }
  EXPECT_EQ(session.counts().incomplete, 1U);
}

TEST_F(AstmSessionTest, AConnectionClosedMidMessageStoresNothing) {
  analyzer_link.send(kCbc + kEnd);
  // Let the analyzer get as far as its first frames, then close.
  session.feed(as_bytes(std::exchange(analyzer.to_session, {})));   // ENQ
  analyzer_link.feed(as_bytes(std::exchange(io.to_analyzer, {})));  // our ACK: frame 1 comes
  session.feed(as_bytes(std::exchange(analyzer.to_session, {})));
  session.finish();
  EXPECT_TRUE(io.requests.empty());
  EXPECT_EQ(session.counts().dropped, 1U);
}

TEST_F(AstmSessionTest, AHostQueryIsAnsweredAtOnceWithNoInformationAndTheReplyIsKept) {
  analyzer_link.send(kHeader + "Q|1|1^2^        SPEC-9^B||||20261122101500||||||F\r" + kEnd);
  pump();
  ASSERT_GE(io.requests.size(), 1U);
  EXPECT_EQ(io.requests[0].receipt.direction, records::Direction::In) << "the query, kept";
  ASSERT_EQ(analyzer.received.size(), 1U) << "acknowledged and answered before its own commit";
  EXPECT_TRUE(analyzer.received[0].starts_with("H|\\^&|||hemalink|")) << analyzer.received[0];
  EXPECT_TRUE(analyzer.received[0].ends_with("\rL|1|I\r")) << analyzer.received[0];
  ASSERT_EQ(io.requests.size(), 2U);
  EXPECT_EQ(io.requests[1].receipt.direction, records::Direction::Out);
  EXPECT_EQ(io.requests[1].receipt.raw, analyzer.received[0]);
  EXPECT_EQ(session.counts().queries, 1U);
}

TEST_F(AstmSessionTest, DownloadedWorkIsTakenWhenItsLastFrameIsAcknowledged) {
  const std::string work =
      "H|\\^&|||hemalink\rP|1\rO|1|^^S-1||^^^^WBC|R||||||N||||||||||||||O\r" + kEnd;
  ASSERT_TRUE(session.send_work({work, {41, 42}}));
  pump();
  ASSERT_EQ(analyzer.received.size(), 1U);
  EXPECT_EQ(analyzer.received[0], work);
  ASSERT_EQ(io.taken.size(), 1U) << "the analyzer ACKed the last frame";
  EXPECT_EQ(io.taken[0], (std::vector<long long>{41, 42}));
  ASSERT_EQ(io.requests.size(), 1U);
  EXPECT_EQ(io.requests[0].receipt.direction, records::Direction::Out) << "the download is kept";
  session.finish();
  EXPECT_FALSE(session.send_work({work, {43}})) << "a closed connection sends nothing";
}

TEST_F(AstmSessionTest, BareRecordsAreStoredWithoutAnyLinkReply) {
  FakeIo bare_io;
  astm::LinkOptions bare;
  bare.mode = astm::LinkMode::Bare;
  AstmSession bare_session{{"xn-1", "sysmex-xn", "/dev/ttyS0", 1 << 20}, bare, bare_io};
  const auto stream = kCbc + kEnd + kCbc + kEnd;
  for (char c : stream) {
    bare_session.feed(as_bytes(std::string_view(&c, 1)));
  }
  ASSERT_EQ(bare_io.requests.size(), 2U);
  bare_io.completions[0]({store::StoreOutcome::Stored, ""});
  EXPECT_TRUE(bare_io.to_analyzer.empty());
}

TEST_F(AstmSessionTest, AFrameTheLinkRefusesIsNakedAndKeptRawAsRejected) {
  std::string frame;
  astm::encode_frame(1, kHeader, true, frame);
  frame[frame.size() - 4] = frame[frame.size() - 4] == '0' ? '1' : '0';  // a checksum digit
  session.feed(as_bytes(std::string(1, '\x05')));
  EXPECT_EQ(std::exchange(io.to_analyzer, {}), "\x06");
  session.feed(as_bytes(frame));
  EXPECT_EQ(io.to_analyzer, "\x15") << "NAKed";
  ASSERT_EQ(io.requests.size(), 1U) << "kept, though the analyzer will send the frame again";
  const auto& kept = io.requests[0];
  ASSERT_TRUE(kept.content) << "what the link refused is known to be rejected at once";
  // What the link keeps of a frame: its number, text and ETB/ETX; the checksum it came with is
  // in the reason.
  EXPECT_EQ(kept.receipt.raw, frame.substr(1, frame.size() - 5));
  EXPECT_EQ(kept.receipt.direction, records::Direction::In);
  EXPECT_EQ(kept.content->status, records::MessageStatus::Rejected);
  EXPECT_NE(
      kept.content->reject_reason.find("checksum " + frame.substr(frame.size() - 4, 2) + " sent"),
      std::string::npos)
      << kept.content->reject_reason;
  EXPECT_TRUE(kept.content->error_offset.has_value());
  EXPECT_EQ(session.counts().link_errors, 1U);
}

TEST(AstmSession, EveryLeniencyUsedIsCountedPerAnalyzer) {
  auto tally = std::make_shared<metrics::LinkTally>();
  FakeIo io;
  astm::LinkOptions lenient;
  lenient.accept_bad_checksum = true;  // an analyzer with a checksum bug
  AstmSession session{{"xn-1", "sysmex-xn", "127.0.0.1:40001", 1 << 20}, lenient, io, tally};
  for (std::size_t i = 0; i < 2; ++i) {
    std::string frame;
    astm::encode_frame(1, kCbc + kEnd, true, frame);
    frame[frame.size() - 4] = frame[frame.size() - 4] == '0' ? '1' : '0';  // a checksum digit
    session.feed(as_bytes("\x05" + frame + "\x04"));
    ASSERT_EQ(io.requests.size(), i + 1) << "taken, by the leniency";
    io.completions[i]({store::StoreOutcome::Stored, ""});
  }
  EXPECT_EQ(session.counts().leniencies, 2U);
  EXPECT_EQ(session.counts().link_errors, 0U);
  EXPECT_EQ(tally->count("xn-1", astm::LinkNotice::AcceptedBadChecksum), 2U);
  EXPECT_EQ(tally->count("xn-2", astm::LinkNotice::AcceptedBadChecksum), 0U);
}

}  // namespace
}  // namespace hemalink::session
