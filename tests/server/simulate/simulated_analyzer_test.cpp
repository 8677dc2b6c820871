#include "server/simulate/simulated_analyzer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocols/hl7/mllp.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::simulate {
namespace {

using model::WireProtocol;

struct RecordingIo : SimulatedAnalyzer::Io {
  void write(std::string_view bytes) override { written.append(bytes); }
  void arm_timer(astm::LinkTimer, std::chrono::milliseconds after) override {
    armed.push_back(after);
  }
  void cancel_timer(astm::LinkTimer) override { ++cancelled; }
  void on_last_byte(std::size_t message) override { last_bytes.push_back(message); }
  void on_answer(std::size_t message, Answer answer, std::string_view) override {
    answers.emplace_back(message, answer);
  }

  std::string written;
  std::vector<std::chrono::milliseconds> armed;
  int cancelled = 0;
  std::vector<std::size_t> last_bytes;
  std::vector<std::pair<std::size_t, Answer>> answers;
};

std::string ack(const std::string& code, const std::string& control_id) {
  std::string framed;
  hl7::mllp_wrap(
      "MSH|^~\\&|hemalink||||20260101||ACK|A1|P|2.5\rMSA|" + code + "|" + control_id + "\r",
      framed);
  return framed;
}

const std::string kOru = "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20260101||ORU^R01|C42|P|2.5\rPID|1\r";

TEST(SimulatedAnalyzer, AnHl7MessageIsAnsweredByTheAckThatNamesItsControlId) {
  RecordingIo io;
  SimulatedAnalyzer analyzer({WireProtocol::Hl7}, io);
  analyzer.send(7, kOru);
  EXPECT_EQ(io.written.front(), '\x0b');
  EXPECT_EQ(io.last_bytes, std::vector<std::size_t>{7});
  analyzer.feed(as_bytes(ack("AA", "OTHER")));
  EXPECT_TRUE(io.answers.empty()) << "an ACK for another message answers nothing";
  EXPECT_EQ(analyzer.counts().unexpected, 1u);
  analyzer.feed(as_bytes(ack("AA", "C42")));
  ASSERT_EQ(io.answers.size(), 1u);
  EXPECT_EQ(io.answers[0], std::make_pair(std::size_t{7}, Answer::Acknowledged));
  EXPECT_TRUE(analyzer.is_idle());
}

TEST(SimulatedAnalyzer, AeIsRejectedAndArIsSentAgainUntilTheSendsRunOut) {
  RecordingIo io;
  AnalyzerSettings settings{WireProtocol::Hl7};
  settings.max_sends = 2;
  SimulatedAnalyzer analyzer(settings, io);
  analyzer.send(0, kOru);
  analyzer.feed(as_bytes(ack("AE", "C42")));
  EXPECT_EQ(io.answers.back().second, Answer::Rejected);

  analyzer.send(1, kOru);
  analyzer.feed(as_bytes(ack("AR", "C42")));
  EXPECT_EQ(io.answers.size(), 1u) << "AR: wait, then send again";
  analyzer.on_timeout(astm::LinkTimer::Phase);
  EXPECT_EQ(analyzer.counts().resends, 1u);
  analyzer.feed(as_bytes(ack("CR", "C42")));
  ASSERT_EQ(io.answers.size(), 2u);
  EXPECT_EQ(io.answers.back(), std::make_pair(std::size_t{1}, Answer::Unacknowledged));
}

TEST(SimulatedAnalyzer, E1381FramesAreSentAndTheFinalAckAnswersTheMessage) {
  RecordingIo io;
  AnalyzerSettings settings{WireProtocol::Astm};
  settings.corrupt_every = 1;
  SimulatedAnalyzer analyzer(settings, io);
  analyzer.send(0, "H|\\^&\rL|1|N\r");
  EXPECT_EQ(io.written, "\x05");
  io.written.clear();
  analyzer.feed(as_bytes("\x06"));  // ENQ accepted: the first frame goes, damaged on purpose
  const std::string damaged = io.written;
  io.written.clear();
  analyzer.feed(as_bytes("\x15"));  // NAK: the same frame again, clean this time
  EXPECT_NE(io.written, damaged);
  EXPECT_EQ(io.written.size(), damaged.size());
  EXPECT_EQ(analyzer.counts().frames_sent_again, 1u);
  EXPECT_EQ(analyzer.counts().corrupted, 1u);
  io.written.clear();
  analyzer.feed(as_bytes("\x06"));
  io.written.clear();
  analyzer.feed(as_bytes("\x06"));
  ASSERT_EQ(io.answers.size(), 1u);
  EXPECT_EQ(io.answers[0].second, Answer::Acknowledged);
  EXPECT_EQ(io.written, "\x04") << "EOT ends the transfer";
}

TEST(SimulatedAnalyzer, CaptureLineEndsBecomeCr) {
  EXPECT_EQ(with_cr_records("H|\\^&\r\nP|1\nL|1"), "H|\\^&\rP|1\rL|1\r");
}

TEST(GeneratedMessages, EachPanelComesInBothProtocolsWithUniqueSpecimens) {
  for (auto panel : {Panel::Cbc, Panel::Coag, Panel::Flow}) {
    for (auto protocol : {WireProtocol::Astm, WireProtocol::Hl7}) {
      const auto messages = generate(panel, protocol, 3, 5);
      ASSERT_EQ(messages.size(), 3u);
      EXPECT_NE(messages[0], messages[1]);
      EXPECT_EQ(messages[0].substr(0, 3), protocol == WireProtocol::Hl7 ? "MSH" : "H|\\");
      EXPECT_EQ(generate(panel, protocol, 3, 5), messages) << "the seed decides";
    }
  }
}

}  // namespace
}  // namespace hemalink::simulate
