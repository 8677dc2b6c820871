// The framed captures of ../shared/corpus/astm through the E1381 link alone: the same events
// however the bytes are cut, and the leniency that text captures need. What `hemalink decode` makes
// of every capture, ASTM and HL7, is tested in tests/server/cli/decode_corpus_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/errc.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/link_recorder.hpp"
#include "tests/support/split_feed.hpp"

namespace hemalink::astm {
namespace {

// What captures saved as files need and a live link refuses: frames kept without their ENQ, LF
// where CR was, checksums and trailers as the text kept them, a Horiba's frame numbers, comment
// lines of the publisher.
const LinkOptions kCaptureLeniencies = [] {
  LinkOptions o;
  for (bool LinkOptions::*leniency :
       {&LinkOptions::accept_frames_without_enq, &LinkOptions::accept_lf_as_cr_in_checksum,
        &LinkOptions::accept_lenient_frame_trailer, &LinkOptions::accept_any_frame_number,
        &LinkOptions::accept_unpadded_checksum, &LinkOptions::skip_hash_comment_lines}) {
    o.*leniency = true;
  }
  return o;
}();

bool is_framed(std::string_view bytes) {
  return bytes.find_first_of("\x02\x05") != std::string_view::npos;
}

// Feeds `pieces` in order to a fresh link and returns its event log.
std::string link_log(const LinkOptions& options, const std::vector<std::string_view>& pieces,
                     testing::LinkRecorder& r) {
  E1381Link link(options, r);
  for (auto p : pieces) {
    link.feed(as_bytes(p));
  }
  link.finish();
  std::string log;
  for (const auto& line : r.log) {
    log += line + "\n";
  }
  return log;
}

// Each framed capture gives the same link events however the bytes are cut, and those events are
// messages, not errors. A corpus without a framed capture fails: the test would check nothing.
TEST(AstmCorpus, FramedCapturesSurviveEverySplit) {
  HL_REQUIRE_CORPUS();
  std::size_t framed = 0;
  for (const auto& file : testing::corpus_files("astm")) {
    const auto bytes = testing::read_file(file);
    if (!is_framed(bytes)) {
      continue;
    }
    SCOPED_TRACE(file.filename().string());
    ++framed;
    testing::LinkRecorder whole;
    link_log(kCaptureLeniencies, {bytes}, whole);
    EXPECT_FALSE(whole.messages.empty());
    EXPECT_TRUE(whole.errors.empty());
    testing::expect_same_log_for_every_split(
        bytes,
        [&](const std::vector<std::string_view>& pieces) {
          testing::LinkRecorder r;
          return link_log(kCaptureLeniencies, pieces, r);
        },
        std::max<std::size_t>(1, bytes.size() / 512));
  }
  EXPECT_GT(framed, 0u) << "no capture with ENQ or STX in " << *testing::corpus_dir() / "astm";
}

// The cobas e411 and Erba EM200 files were saved as text, LF where each record's CR was: their
// checksums hold only with LF read as CR, and that leniency is what lets them through.
TEST(AstmCorpus, CapturesWithLfForCrNeedTheirLeniency) {
  HL_REQUIRE_CORPUS();
  for (const char* name : {"roche-cobas-e411-immuno-01.astm", "erba-em200-query-01.astm"}) {
    SCOPED_TRACE(name);
    const auto bytes = testing::read_file(*testing::corpus_dir() / "astm" / name);
    testing::LinkRecorder lenient;
    link_log(kCaptureLeniencies, {bytes}, lenient);
    EXPECT_TRUE(lenient.errors.empty());
    EXPECT_EQ(lenient.messages.size(), 1u);
    EXPECT_NE(std::find(lenient.notices.begin(), lenient.notices.end(),
                        LinkNotice::AcceptedLfAsCrChecksum),
              lenient.notices.end());

    auto options = kCaptureLeniencies;
    options.accept_lf_as_cr_in_checksum = false;
    testing::LinkRecorder strict;
    link_log(options, {bytes}, strict);
    ASSERT_FALSE(strict.errors.empty());
    EXPECT_EQ(strict.errors[0], Errc::BadChecksum) << "only the checksum fails";
  }
}

}  // namespace
}  // namespace hemalink::astm
