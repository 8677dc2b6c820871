#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocols/common/bytes.hpp"
#include "protocols/common/parse_error.hpp"

namespace hemalink::hl7 {

/// MLLP framing (HL7 v2 implementation guide, appendix C): VT <message> FS CR.
namespace mllp {
inline constexpr char kStartBlock = 0x0B;
inline constexpr char kEndBlock = 0x1C;
}  // namespace mllp

struct MllpLimits {
  std::size_t max_message_bytes = 16 * 1024 * 1024;
};

class MllpSink {
 public:
  virtual ~MllpSink() = default;
  /// One framed message without VT/FS/CR. `stream_offset` is the position of its first byte. The
  /// view is valid only during the call.
  virtual void on_message(std::string_view payload, std::size_t stream_offset) = 0;
  /// A framing error; `raw` holds what was dropped or cut (for an oversize frame, its first
  /// max_message_bytes), valid only during the call.
  virtual void on_error(const ParseError& error, std::string_view raw) = 0;
};

/// Reassembles MLLP frames from a byte stream split anywhere. NUL, CR and LF between frames are
/// padding and skipped; other bytes outside a frame are reported once per run and skipped up to
/// the next VT. A message is complete at FS (the CR that follows is consumed when it comes, in
/// this read or a later one). Frames over the limit are reported and discarded, never buffered
/// without bound.
class MllpFramer {
 public:
  MllpFramer(MllpLimits limits, MllpSink& sink) : limits_(limits), sink_(sink) {}

  /// Consumes all of `bytes` and returns the number consumed. A frame that starts and ends in
  /// `bytes` is handed over without copying.
  std::size_t feed(ByteView bytes);
  /// The stream ended: a frame still open is reported as Errc::TruncatedFrame.
  void finish();

 private:
  enum class State { BetweenFrames, SkippingGarbage, InFrame, Discarding };

  void start_frame(std::size_t offset);

  MllpLimits limits_;
  MllpSink& sink_;
  State state_ = State::BetweenFrames;
  std::string buffer_;
  std::size_t frame_offset_ = 0;
  std::size_t offset_ = 0;
};

/// True when `frame`, what a frame held, is only the padding allowed between frames (NUL, CR,
/// LF): a start block with no message after it, as some senders write after their last end
/// block. The listeners drop such a frame when the connection ends.
bool holds_no_message(std::string_view frame);

/// Appends `payload` framed as VT payload FS CR.
void mllp_wrap(std::string_view payload, std::string& out);

}  // namespace hemalink::hl7
