#include "protocols/hl7/mllp.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "protocols/hl7/errc.hpp"
#include "tests/support/split_feed.hpp"

namespace hemalink::hl7 {
namespace {

class Recorder : public MllpSink {
 public:
  void on_message(std::string_view payload, std::size_t offset) override {
    messages.emplace_back(payload);
    log += fmt::format("message@{} {}\n", offset, payload);
  }
  void on_error(const ParseError& error, std::string_view raw) override {
    errors.push_back(error.code);
    log += fmt::format("error {} @{} ({} bytes)\n", error.code.message(), error.byte_offset,
                       raw.size());
  }
  std::vector<std::string> messages;
  std::vector<std::error_code> errors;
  std::string log;
};

std::string framed(std::string_view payload) {
  std::string out;
  mllp_wrap(payload, out);
  return out;
}

std::string run(const std::vector<std::string_view>& pieces, MllpLimits limits = {}) {
  Recorder r;
  MllpFramer framer(limits, r);
  for (auto p : pieces) {
    framer.feed(as_bytes(p));
  }
  framer.finish();
  return r.log;
}

const std::string kA = "MSH|^~\\&|A|||||ORU^R01|1|P|2.5\rOBX|1|NM|WBC||5.6\r";
const std::string kB = "MSH|^~\\&|B|||||ACK|2|P|2.5\rMSA|AA|1\r";

TEST(MllpFramer, WrapsAsVtPayloadFsCr) {
  EXPECT_EQ(framed("X"), std::string("\x0BX\x1C\r"));
}

TEST(MllpFramer, GivesTheSameMessagesForEverySplit) {
  const std::string input = framed(kA) + "\r\n" + std::string(1, '\0') + framed(kB);
  const std::string log =
      testing::expect_same_log_for_every_split(input, [](auto& p) { return run(p); });
  EXPECT_EQ(log, fmt::format("message@1 {}\nmessage@{} {}\n", kA, kA.size() + 7, kB));
}

TEST(MllpFramer, CompletesAMessageAtFsEvenIfItsCrComesLater) {
  Recorder r;
  MllpFramer framer({}, r);
  const std::string input = framed(kA);
  framer.feed(as_bytes(std::string_view(input).substr(0, input.size() - 1)));
  ASSERT_EQ(r.messages.size(), 1u);
  framer.feed(as_bytes("\r"));
  EXPECT_TRUE(r.errors.empty());
}

TEST(MllpFramer, ReportsBytesOutsideAFrameOnceAndRecovers) {
  Recorder r;
  MllpFramer framer({}, r);
  framer.feed(as_bytes("junk junk" + framed(kA)));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Errc::ByteOutsideFrame);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], kA);
}

TEST(MllpFramer, DiscardsAnOversizeFrameAndKeepsGoing) {
  Recorder r;
  MllpFramer framer({64}, r);
  framer.feed(as_bytes(framed(std::string(1000, 'x')) + framed(kB)));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Errc::OversizeFrame);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], kB);
}

TEST(MllpFramer, NeverBuffersMoreThanTheLimit) {
  // An endless frame fed in pieces: reported once, then dropped as it streams in.
  Recorder r;
  MllpFramer framer({1024}, r);
  framer.feed(as_bytes("\x0B"));
  const std::string chunk(4096, 'y');
  for (int i = 0; i < 100; ++i) {
    framer.feed(as_bytes(chunk));
  }
  EXPECT_EQ(r.errors.size(), 1u);
  framer.feed(as_bytes("\x1C\r" + framed(kA)));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], kA);
}

TEST(MllpFramer, RestartsOnAStartBlockInsideAFrame) {
  Recorder r;
  MllpFramer framer({}, r);
  framer.feed(as_bytes("\x0BMSH|partial" + framed(kA)));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Errc::UnexpectedStartBlock);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], kA);
}

TEST(MllpFramer, ReportsAStreamThatEndsInsideAFrame) {
  Recorder r;
  MllpFramer framer({}, r);
  framer.feed(as_bytes("\x0B" + kA));
  EXPECT_TRUE(r.messages.empty());
  framer.finish();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], Errc::TruncatedFrame);
}

// A start block after the last end block (VT, perhaps a CR after it) opens a frame with no
// message in it: what the listeners drop when the connection ends.
TEST(MllpFramer, TellsAFrameWithNoMessageFromACutMessage) {
  EXPECT_TRUE(holds_no_message(""));
  EXPECT_TRUE(holds_no_message("\r\n"));
  EXPECT_FALSE(holds_no_message("\rMSH|"));
  EXPECT_FALSE(holds_no_message(kA));
}

}  // namespace
}  // namespace hemalink::hl7
