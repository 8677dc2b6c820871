#pragma once

#include <system_error>

namespace hemalink::hl7 {

/// Errors of the HL7 v2 codecs (HL7 v2.x chapter 2, and the MLLP framing of the HL7 v2
/// implementation guide, appendix C). All are caused by the peer's bytes: values, not exceptions.
enum class Errc {
  /// The message does not start with MSH (or a batch header FHS/BHS). Answer AR.
  MissingHeader = 1,
  /// MSH is too short, or MSH-1/MSH-2 do not define distinct delimiters. Answer AR.
  MalformedHeader,
  /// A segment does not start with a three-character segment ID. Answer AE naming the segment.
  MalformedSegment,
  /// The message exceeds the configured size limit. Answer AR.
  MessageTooLarge,
  /// The message exceeds the configured segment limit. Answer AR.
  TooManySegments,
  /// An HL7 path such as "OBX-3.1" or "PID-3(2).1" is not well formed (a caller's error).
  BadPath,
  /// MLLP: bytes other than NUL/CR/LF between frames; they are skipped up to the next VT.
  ByteOutsideFrame,
  /// MLLP: a VT inside a frame; the partial frame is reported and a new frame starts.
  UnexpectedStartBlock,
  /// MLLP: a frame exceeds the size limit; it is discarded up to its FS.
  OversizeFrame,
  /// MLLP: the stream ended inside a frame.
  TruncatedFrame,
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

}  // namespace hemalink::hl7

template <>
struct std::is_error_code_enum<hemalink::hl7::Errc> : std::true_type {};
