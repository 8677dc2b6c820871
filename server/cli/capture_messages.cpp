#include "server/cli/capture_messages.hpp"

#include <fmt/format.h>

#include <map>

#include "protocols/astm/errc.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/hl7/errc.hpp"
#include "protocols/hl7/mllp.hpp"

namespace hemalink::cli {
namespace {

// Offsets of record and segment errors count from the message; report them from the file.
ParseError in_message(const ParseError& error, std::size_t number, std::size_t message_offset) {
  return {error.code, fmt::format("message {}: {}", number, error.detail),
          message_offset + error.byte_offset};
}

// Collects what the link layer reports while a whole capture is fed through it.
class AstmCapture final : public astm::LinkSink {
 public:
  struct Message {
    std::string records;
    astm::MessageEnd end;
    std::size_t offset;
  };

  void on_write(std::string_view) override {}
  void on_arm_timer(astm::LinkTimer, astm::milliseconds) override {}
  void on_cancel_timer(astm::LinkTimer) override {}
  void on_message(std::string_view records, astm::MessageEnd end, std::size_t offset) override {
    messages.push_back({std::string(records), end, offset});
  }
  void on_error(const ParseError& e, std::string_view) override {
    if (!error) {
      error = e;
      error_message_number = messages.size() + 1;
    }
  }
  void on_notice(astm::LinkNotice notice, std::size_t offset) override {
    auto [it, is_new] = notices.try_emplace(notice, std::pair<std::size_t, std::size_t>{0, offset});
    ++it->second.first;
  }
  void on_sent(std::uint64_t, std::error_code) override {}

  std::vector<Message> messages;
  std::optional<ParseError> error;
  std::size_t error_message_number = 0;
  std::map<astm::LinkNotice, std::pair<std::size_t, std::size_t>> notices;  // count, first byte
};

Result<std::vector<Captured<astm::Lis2Message>>> read_astm(std::string_view bytes, bool is_strict,
                                                           std::vector<std::string>& warnings,
                                                           std::vector<std::string>& leniencies) {
  const bool is_framed = bytes.find_first_of("\x02\x05") != std::string_view::npos;
  AstmCapture capture;
  astm::E1381Link link(capture_link_options(is_framed, is_strict), capture);
  link.feed(as_bytes(bytes));
  link.finish();
  if (capture.error) {
    return in_message(*capture.error, capture.error_message_number, 0);
  }
  if (capture.messages.empty()) {
    auto ignored = capture.notices.find(astm::LinkNotice::ByteIgnored);
    return ParseError{make_error_code(astm::Errc::MalformedFrame),
                      ignored == capture.notices.end()
                          ? std::string("no ASTM message (no H record) in the content")
                          : fmt::format("no ASTM message decoded: {} byte(s) ignored outside a "
                                        "transfer (frames need an ENQ before them unless the "
                                        "capture leniencies are on)",
                                        ignored->second.first),
                      ignored == capture.notices.end() ? 0 : ignored->second.second};
  }
  for (const auto& [notice, seen] : capture.notices) {
    warnings.push_back(fmt::format("{} ({} time(s), first at byte {})", astm::to_string(notice),
                                   seen.first, seen.second));
  }
  astm::Lis2Leniency leniency;
  leniency.accept_doubled_repeat_delimiter = !is_strict;
  std::vector<Captured<astm::Lis2Message>> out;
  std::size_t number = 0;
  for (auto& m : capture.messages) {
    ++number;
    if (m.end != astm::MessageEnd::Terminated) {
      warnings.push_back(fmt::format("message {} (starting at byte {}) is incomplete: {}", number,
                                     m.offset, astm::to_string(m.end)));
    }
    auto parsed = astm::Lis2Message::parse(std::move(m.records), {}, leniency);
    if (!parsed) {
      // Framed text is reassembled, so a record's offset maps to the file only when bare.
      auto error = in_message(parsed.error(), number, m.offset);
      if (is_framed) {
        error.byte_offset = m.offset;
      }
      return error;
    }
    if (parsed->record(0).field(1).size() == 4) {  // read with the listeners' leniency
      leniencies.push_back(fmt::format(
          "the repeat delimiter written twice in the H record ({}) was read as one (message {}, "
          "offset {})",
          parsed->record(0).raw().substr(0, 6), number, m.offset));
    }
    out.push_back({std::move(*parsed), m.offset});
  }
  return out;
}

class MllpCapture final : public hl7::MllpSink {
 public:
  void on_message(std::string_view payload, std::size_t offset) override {
    messages.emplace_back(std::string(payload), offset);
  }
  // A start block the capture ended right after is what the listeners drop at the end of a
  // connection: a leniency, not an error.
  void on_error(const ParseError& e, std::string_view raw) override {
    if (e.code == hl7::Errc::TruncatedFrame && hl7::holds_no_message(raw)) {
      empty_frame_start = e.byte_offset - 1;  // the frame starts after its VT
    } else if (!error) {
      error = e;
    }
  }

  std::vector<std::pair<std::string, std::size_t>> messages;
  std::optional<ParseError> error;
  std::optional<std::size_t> empty_frame_start;
};

// What the listeners accept and the standard does not, `what` at `where`: named in
// `leniencies` as `done`, or, when `is_strict`, the error naming it.
Result<void, ParseError> apply_leniency(bool is_strict, hl7::Errc code, std::string_view what,
                                        std::string_view done, std::string_view where,
                                        std::size_t offset, std::vector<std::string>& leniencies) {
  if (is_strict) {
    return ParseError{make_error_code(code),
                      fmt::format("{}: the listeners accept it, --strict refuses it", what),
                      offset};
  }
  leniencies.push_back(fmt::format("{} {} ({}offset {})", what, done, where, offset));
  return {};
}

// A UTF-8 byte-order mark before MSH, which some LIS send; the listeners read past it.
Result<void, ParseError> skip_byte_order_mark(std::string& text, std::size_t number,
                                              std::size_t offset, bool is_strict,
                                              std::vector<std::string>& leniencies) {
  const auto after = without_byte_order_mark(text);
  if (after.size() == text.size()) {
    return {};
  }
  auto lenient =
      apply_leniency(is_strict, hl7::Errc::MissingHeader, "a UTF-8 byte-order mark before MSH",
                     "was skipped", fmt::format("message {}, ", number), offset, leniencies);
  if (!lenient) {
    return in_message(lenient.error(), number, 0);
  }
  text.erase(0, text.size() - after.size());
  return {};
}

// Without MLLP framing, a new message starts at each line that starts with MSH. A stray end
// block (FS) without its start block is dropped.
std::vector<std::pair<std::string, std::size_t>> split_bare_hl7(
    std::string_view bytes, std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::size_t>> messages;
  std::size_t start = 0;
  for (std::size_t at = bytes.find("MSH"); at != std::string_view::npos;
       at = bytes.find("MSH", at + 3)) {
    const bool is_line_start = at == 0 || bytes[at - 1] == '\r' || bytes[at - 1] == '\n';
    if (!is_line_start || at == start) {
      continue;
    }
    if (bytes.substr(start, at - start).find_first_not_of("\r\n\x1c \t") ==
        std::string_view::npos) {
      start = at;  // only padding before the first message
      continue;
    }
    messages.emplace_back(std::string(bytes.substr(start, at - start)), start);
    start = at;
  }
  messages.emplace_back(std::string(bytes.substr(start)), start);
  std::size_t end_blocks = 0;
  for (auto& [text, offset] : messages) {
    for (auto at = text.find('\x1c'); at != std::string::npos; at = text.find('\x1c', at)) {
      text.erase(at, 1);
      ++end_blocks;
    }
  }
  if (end_blocks > 0) {
    warnings.push_back(
        fmt::format("dropped {} MLLP end block(s) that had no start block", end_blocks));
  }
  return messages;
}

Result<std::vector<Captured<hl7::V2Message>>> read_hl7(std::string_view bytes, bool is_strict,
                                                       std::vector<std::string>& warnings,
                                                       std::vector<std::string>& leniencies) {
  std::vector<std::pair<std::string, std::size_t>> texts;
  if (bytes.find('\x0b') != std::string_view::npos) {
    MllpCapture capture;
    hl7::MllpFramer framer({}, capture);
    framer.feed(as_bytes(bytes));
    framer.finish();
    if (capture.error) {
      return *capture.error;
    }
    if (capture.empty_frame_start) {
      auto lenient = apply_leniency(is_strict, hl7::Errc::TruncatedFrame,
                                    "an MLLP start block (VT) with no message after it",
                                    "was ignored", "", *capture.empty_frame_start, leniencies);
      if (!lenient) {
        return lenient.error();
      }
    }
    texts = std::move(capture.messages);
  } else {
    texts = split_bare_hl7(bytes, warnings);
  }
  std::vector<Captured<hl7::V2Message>> out;
  std::size_t number = 0;
  for (auto& [text, offset] : texts) {
    ++number;
    if (auto skipped = skip_byte_order_mark(text, number, offset, is_strict, leniencies);
        !skipped) {
      return skipped.error();
    }
    auto parsed = hl7::V2Message::parse(std::move(text));
    if (!parsed) {
      return in_message(parsed.error(), number, offset);
    }
    out.push_back({std::move(*parsed), offset});
  }
  return out;
}

}  // namespace

astm::LinkOptions capture_link_options(bool is_framed, bool is_strict) {
  astm::LinkOptions o;
  o.mode = is_framed ? astm::LinkMode::E1381 : astm::LinkMode::Bare;
  if (!is_strict) {
    o.accept_frames_without_enq = true;
    o.accept_lf_as_cr_in_checksum = true;
    o.accept_lenient_frame_trailer = true;
    o.accept_any_frame_number = true;
    o.accept_unpadded_checksum = true;
    o.skip_hash_comment_lines = true;
  }
  return o;
}

Result<CapturedMessages> read_messages(std::string content, const CaptureOptions& options,
                                       std::vector<std::string>& warnings) {
  auto capture = read_capture(std::move(content));
  if (!capture) {
    return capture.error();
  }
  warnings.insert(warnings.end(), capture->warnings.begin(), capture->warnings.end());
  std::string bytes = std::move(capture->bytes);
  CapturedMessages out;
  if (options.protocol) {
    out.protocol = *options.protocol;
  } else {
    auto detected = detect_protocol(bytes);
    if (!detected) {
      return detected.error();
    }
    out.protocol = *detected;
  }
  if (!options.is_strict) {
    normalise_text_capture(bytes, out.protocol, warnings);
  }
  if (out.protocol == WireProtocol::Astm) {
    auto messages = read_astm(bytes, options.is_strict, warnings, out.leniencies);
    if (!messages) {
      return messages.error();
    }
    out.astm = std::move(*messages);
  } else {
    auto messages = read_hl7(bytes, options.is_strict, warnings, out.leniencies);
    if (!messages) {
      return messages.error();
    }
    out.hl7 = std::move(*messages);
  }
  return out;
}

}  // namespace hemalink::cli
