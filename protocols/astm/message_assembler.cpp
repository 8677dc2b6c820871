#include "protocols/astm/message_assembler.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "protocols/astm/errc.hpp"
#include "protocols/common/line_ends.hpp"

namespace hemalink::astm {
namespace {

// "H|..." or "H" alone is a header; "Hello" is not.
bool is_record_of_type(std::string_view record, char type) {
  return !record.empty() && record[0] == type &&
         (record.size() == 1 || !std::isalnum(static_cast<unsigned char>(record[1])));
}

}  // namespace

const char* to_string(MessageEnd end) {
  switch (end) {
    case MessageEnd::Terminated:
      return "terminated";
    case MessageEnd::NextHeader:
      return "next header before L record";
    case MessageEnd::EndOfTransfer:
      return "EOT before L record";
    case MessageEnd::Timeout:
      return "receive timeout before L record";
    case MessageEnd::EndOfStream:
      return "end of stream before L record";
  }
  return "unknown";
}

std::size_t MessageAssembler::append(std::string_view text, std::size_t stream_offset) {
  const std::size_t before = completed_;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t stop = find_either(text, '\r', '\n', start);
    if (stop == std::string_view::npos) {
      if (record_.empty()) {
        record_offset_ = stream_offset + start;
      }
      // Bytes past the limit are not kept: the record is over it whatever follows, and when its
      // terminator comes complete_record() discards its message as over the limits, exactly as
      // when the whole record arrives in one piece. Memory stays bounded either way.
      const std::size_t room =
          limits_.max_message_bytes + 1 - std::min(record_.size(), limits_.max_message_bytes + 1);
      record_.append(text.substr(start, std::min(room, text.size() - start)));
      break;
    }
    if (record_.empty()) {
      record_offset_ = stream_offset + start;
    }
    record_.append(text.substr(start, stop - start));
    complete_record(stream_offset + stop);
    start = stop + 1;
  }
  return completed_ - before;
}

void MessageAssembler::end_record(std::size_t stream_offset) {
  if (!record_.empty()) {
    complete_record(stream_offset);
  }
}

void MessageAssembler::flush(MessageEnd why, std::size_t stream_offset) {
  end_record(stream_offset);
  if (!message_.empty()) {
    emit(why);
  }
  is_discarding_ = false;
}

void MessageAssembler::complete_record(std::size_t stream_offset) {
  std::string_view record(record_);
  if (record.empty()) {
    return;
  }
  if (is_record_of_type(record, 'H')) {
    if (!message_.empty()) {
      emit(MessageEnd::NextHeader);
    }
    is_discarding_ = false;
    message_offset_ = record_offset_;
  } else if (is_discarding_) {
    record_.clear();
    return;
  } else if (message_.empty()) {
    if (!(skip_hash_comment_lines_ && record.front() == '#')) {
      sink_.on_discarded(
          {make_error_code(Errc::RecordOutsideMessage),
           fmt::format("record {:?} arrived before any H record", record.substr(0, 16)),
           record_offset_},
          record);
    }
    record_.clear();
    return;
  }
  const bool is_last = is_record_of_type(record, 'L');
  if (message_.size() + record.size() + 1 > limits_.max_message_bytes ||
      record_count_ + 1 > limits_.max_records) {
    auto code =
        record_count_ + 1 > limits_.max_records ? Errc::TooManyRecords : Errc::MessageTooLarge;
    sink_.on_discarded({make_error_code(code),
                        fmt::format("message over the limits ({} bytes, {} records)",
                                    limits_.max_message_bytes, limits_.max_records),
                        stream_offset},
                       message_);
    message_.clear();
    record_.clear();
    record_count_ = 0;
    is_discarding_ = !is_last;
    return;
  }
  message_.append(record);
  message_.push_back('\r');
  ++record_count_;
  record_.clear();
  if (is_last) {
    emit(MessageEnd::Terminated);
  }
}

void MessageAssembler::emit(MessageEnd end) {
  sink_.on_message(message_, end, message_offset_);
  message_.clear();
  record_count_ = 0;
  if (end == MessageEnd::Terminated) {
    ++completed_;
  }
}

}  // namespace hemalink::astm
