#include "protocols/hl7/mllp.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "protocols/common/line_ends.hpp"
#include "protocols/hl7/errc.hpp"

namespace hemalink::hl7 {
namespace {

bool is_padding(char c) {
  return c == '\0' || c == '\r' || c == '\n';
}

}  // namespace

void MllpFramer::start_frame(std::size_t offset) {
  buffer_.clear();
  frame_offset_ = offset;
  state_ = State::InFrame;
}

std::size_t MllpFramer::feed(ByteView bytes) {
  const std::string_view text = as_text(bytes);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = offset_ + i;
    switch (state_) {
      case State::BetweenFrames:
      case State::SkippingGarbage: {
        const char c = text[i++];
        if (c == mllp::kStartBlock) {
          start_frame(at + 1);
        } else if (!is_padding(c) && state_ == State::BetweenFrames) {
          sink_.on_error({make_error_code(Errc::ByteOutsideFrame),
                          fmt::format("byte 0x{:02X} outside an MLLP frame; skipping to the "
                                      "next start block",
                                      static_cast<unsigned char>(c)),
                          at},
                         text.substr(i - 1, 1));
          state_ = State::SkippingGarbage;
        }
        break;
      }
      case State::InFrame:
      case State::Discarding: {
        const std::size_t stop = find_either(text, mllp::kEndBlock, mllp::kStartBlock, i);
        const std::size_t end = stop == std::string_view::npos ? text.size() : stop;
        const std::string_view chunk = text.substr(i, end - i);
        if (state_ == State::InFrame) {
          if (buffer_.size() + chunk.size() > limits_.max_message_bytes) {
            // Reported with its first max_message_bytes, so the caller can keep and answer it.
            buffer_.append(chunk.substr(0, limits_.max_message_bytes - buffer_.size()));
            sink_.on_error({make_error_code(Errc::OversizeFrame),
                            fmt::format("MLLP frame longer than {} bytes; discarded up to its end",
                                        limits_.max_message_bytes),
                            frame_offset_},
                           buffer_);
            buffer_.clear();
            state_ = State::Discarding;
          } else if (stop != std::string_view::npos && buffer_.empty() &&
                     text[stop] == mllp::kEndBlock) {
            sink_.on_message(chunk, frame_offset_);  // whole frame in this read: no copy
            state_ = State::BetweenFrames;
            i = stop + 1;
            break;
          } else {
            buffer_.append(chunk);
          }
        }
        i = end;
        if (stop == std::string_view::npos) {
          break;
        }
        ++i;
        if (text[stop] == mllp::kStartBlock) {
          if (state_ == State::InFrame) {
            sink_.on_error(
                {make_error_code(Errc::UnexpectedStartBlock),
                 "MLLP start block inside a frame; the partial frame is dropped", offset_ + stop},
                buffer_);
          }
          start_frame(offset_ + stop + 1);
        } else {
          if (state_ == State::InFrame) {
            sink_.on_message(buffer_, frame_offset_);
          }
          buffer_.clear();
          state_ = State::BetweenFrames;
        }
        break;
      }
    }
  }
  offset_ += text.size();
  return text.size();
}

void MllpFramer::finish() {
  if (state_ == State::InFrame) {
    sink_.on_error(
        {make_error_code(Errc::TruncatedFrame),
         fmt::format("stream ended inside the MLLP frame that started at byte {}", frame_offset_),
         frame_offset_},
        buffer_);
  }
  buffer_.clear();
  state_ = State::BetweenFrames;
}

bool holds_no_message(std::string_view frame) {
  return std::all_of(frame.begin(), frame.end(), is_padding);
}

void mllp_wrap(std::string_view payload, std::string& out) {
  out.push_back(mllp::kStartBlock);
  out.append(payload);
  out.push_back(mllp::kEndBlock);
  out.push_back('\r');
}

}  // namespace hemalink::hl7
