// Runs every transcript in tests/fixtures/astm/link/: readable E1381 sessions with the bytes
// each side sends and the events the link must report. Adding a case needs no C++.
//
// Lines (blank lines and lines starting with '#' are comments):
//   option NAME[=true|false]  set a LinkOptions flag before the first step
//   in BYTES                  the analyzer sends BYTES
//   out BYTES                 the link must have written exactly BYTES since the last `out`
//   event TEXT                the next event reported must be TEXT
//   armed TIMER MS            the last timer armed was TIMER (Phase/SendBackoff) for MS ms
//   timeout Phase|SendBackoff a timer expires
//   queue BYTES               the session queues a message to send
//   acknowledge | refuse      the store answers a held message
//   end                       the connection ends
//   done                      no further events may be pending
// BYTES spell control characters as <STX> <ETX> <ETB> <EOT> <ENQ> <ACK> <NAK> <CR> <LF>;
// <CS> is the checksum of the frame it closes (LIS01-A2 6.3.4) and <BADCS> a wrong one.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "protocols/astm/e1381_link.hpp"
#include "tests/support/link_recorder.hpp"

namespace hemalink::astm {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(HEMALINK_SOURCE_DIR) / "tests/fixtures/astm/link";

std::string bytes_of(std::string_view spelled) {
  static const std::map<std::string_view, char> kNames = {
      {"STX", ctl::kStx}, {"ETX", ctl::kEtx}, {"ETB", ctl::kEtb},
      {"EOT", ctl::kEot}, {"ENQ", ctl::kEnq}, {"ACK", ctl::kAck},
      {"NAK", ctl::kNak}, {"CR", ctl::kCr},   {"LF", ctl::kLf}};
  std::string out;
  std::size_t frame_start = std::string::npos;
  for (std::size_t i = 0; i < spelled.size(); ++i) {
    if (spelled[i] == '<') {
      const auto close = spelled.find('>', i);
      const auto name = spelled.substr(i + 1, close - i - 1);
      if (name == "CS" || name == "BADCS") {
        const auto sum = frame_checksum(std::string_view(out).substr(frame_start + 1));
        out += fmt::format("{:02X}", static_cast<std::uint8_t>(sum + (name == "BADCS" ? 1 : 0)));
      } else if (auto it = kNames.find(name); it != kNames.end()) {
        out.push_back(it->second);
        if (it->second == ctl::kStx) {
          frame_start = out.size() - 1;
        }
      } else {
        ADD_FAILURE() << "unknown byte name <" << name << ">";
      }
      i = close;
    } else {
      out.push_back(spelled[i]);
    }
  }
  return out;
}

// Records events without offsets, so transcripts stay readable.
class Events : public testing::LinkRecorder {
 public:
  void on_message(std::string_view records, MessageEnd end, std::size_t offset) override {
    LinkRecorder::on_message(records, end, offset);
    events.push_back(fmt::format("message {} {}", to_string(end), testing::visible(records)));
  }
  void on_error(const ParseError& error, std::string_view raw) override {
    LinkRecorder::on_error(error, raw);
    events.push_back("error " + error.code.message());
  }
  void on_notice(LinkNotice notice, std::size_t offset) override {
    LinkRecorder::on_notice(notice, offset);
    events.push_back(std::string("notice ") + to_string(notice));
  }
  void on_sent(std::uint64_t id, std::error_code result) override {
    LinkRecorder::on_sent(id, result);
    events.push_back(fmt::format("sent {}", result ? result.message() : "ok"));
  }
  std::deque<std::string> events;
};

void set_option(LinkOptions& o, const std::string& name, bool value) {
  std::map<std::string, bool*> flags = {
      {"defer_message_ack", &o.defer_message_ack},
      {"honour_receiver_interrupt", &o.honour_receiver_interrupt},
      {"accept_lowercase_checksum", &o.accept_lowercase_checksum},
      {"accept_bad_checksum", &o.accept_bad_checksum},
      {"accept_unpadded_checksum", &o.accept_unpadded_checksum},
      {"accept_lf_as_cr_in_checksum", &o.accept_lf_as_cr_in_checksum},
      {"accept_lenient_frame_trailer", &o.accept_lenient_frame_trailer},
      {"accept_any_frame_number", &o.accept_any_frame_number},
      {"accept_missing_frame_number", &o.accept_missing_frame_number},
      {"accept_frames_without_enq", &o.accept_frames_without_enq},
      {"skip_hash_comment_lines", &o.skip_hash_comment_lines}};
  auto it = flags.find(name);
  ASSERT_NE(it, flags.end()) << "unknown option " << name;
  *it->second = value;
}

void run_transcript(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  int number = 0;
  LinkOptions options;
  Events sink;
  std::unique_ptr<E1381Link> link;
  auto started = [&] {
    if (!link) {
      link = std::make_unique<E1381Link>(options, sink);
    }
    return link.get();
  };
  while (std::getline(in, line)) {
    ++number;
    SCOPED_TRACE(fmt::format("{}:{}: {}", file.filename().string(), number, line));
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto space = line.find(' ');
    const std::string verb = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (verb == "option") {
      ASSERT_FALSE(link) << "options come before the first step";
      const auto eq = rest.find('=');
      set_option(options, rest.substr(0, eq),
                 eq == std::string::npos || rest.substr(eq + 1) == "true");
    } else if (verb == "in") {
      started()->feed(as_bytes(bytes_of(rest)));
    } else if (verb == "out") {
      started();
      EXPECT_EQ(sink.take_written(), testing::visible(bytes_of(rest)));
    } else if (verb == "event") {
      started();
      ASSERT_FALSE(sink.events.empty()) << "expected: " << rest;
      EXPECT_EQ(sink.events.front(), rest);
      sink.events.pop_front();
    } else if (verb == "armed") {
      started();
      EXPECT_EQ(sink.armed,
                rest.substr(0, rest.find(' ')) + " " + rest.substr(rest.find(' ') + 1) + "ms");
    } else if (verb == "timeout") {
      started()->on_timeout(rest == "Phase" ? LinkTimer::Phase : LinkTimer::SendBackoff);
    } else if (verb == "queue") {
      EXPECT_NE(started()->send(bytes_of(rest)), 0u);
    } else if (verb == "acknowledge") {
      started()->acknowledge_message();
    } else if (verb == "refuse") {
      started()->refuse_message();
    } else if (verb == "end") {
      started()->finish();
    } else if (verb == "done") {
      started();
      EXPECT_TRUE(sink.events.empty()) << "unexpected event: " << sink.events.front();
      EXPECT_EQ(sink.take_written(), "") << "unexpected bytes written";
    } else {
      FAIL() << "unknown step " << verb;
    }
  }
}

TEST(LinkTranscripts, EveryTranscriptRuns) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 5u);
  for (const auto& file : files) {
    run_transcript(file);
  }
}

}  // namespace
}  // namespace hemalink::astm
