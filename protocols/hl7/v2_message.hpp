#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/bytes.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::hl7 {

/// The delimiters of HL7 v2 (chapter 2.5.4), declared by MSH-1 and MSH-2.
struct Encoding {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  ///< v2.7+, '#' when declared; '\0' when not.
};

struct V2Limits {
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  std::size_t max_segments = 100000;
};

/// A parsed HL7 path: `SEG[(occurrence)]-field[(repetition)][.component[.subcomponent]]`, e.g.
/// "OBX-5", "OBX-3.1", "PID-3(2).1", "OBX(2)-5". All numbers are 1-based; 0 means "not given".
struct V2Path {
  std::string segment;
  std::size_t occurrence = 1;
  std::size_t field = 0;
  std::size_t repetition = 1;
  std::size_t component = 0;
  std::size_t subcomponent = 0;

  /// Parses `text`; fails with Errc::BadPath naming the character that is wrong.
  static Result<V2Path> parse(std::string_view text);
};

class V2Message;

/// One segment of a parsed message: a view, valid while its V2Message lives.
class V2Segment {
 public:
  V2Segment(const V2Message& message, std::size_t index) : message_(&message), index_(index) {}

  std::string_view id() const { return field(0); }
  /// Fields including field 0 (the segment ID). For MSH, field 1 is the field separator and
  /// field 2 the encoding characters, as HL7 numbers them.
  std::size_t field_count() const;
  /// Field `i` as on the wire (escapes kept); empty past the end.
  std::string_view field(std::size_t i) const;
  std::string_view raw() const;
  std::size_t offset() const;
  /// 1-based position in the message.
  std::size_t number() const { return index_ + 1; }

 private:
  const V2Message* message_;
  std::size_t index_;
};

/// A complete HL7 v2 message (versions 2.3 to 2.8). Segments end with CR (LF and CR LF are
/// tolerated). Owns its text; segments and fields are offsets into it. Parsing finds segment
/// and field boundaries in one pass; repetitions, components and escapes are resolved only when
/// a value is read, so a 2 MB base64 OBX-5 costs one scan.
class V2Message {
 public:
  /// Parses one message. Fails with MissingHeader, MalformedHeader, MalformedSegment,
  /// MessageTooLarge or TooManySegments, naming the segment number and byte offset. Unknown
  /// segments (Z-segments, newer versions' segments) are kept as they are.
  static Result<V2Message> parse(std::string text, const V2Limits& limits = {});

  const std::string& text() const { return text_; }
  const Encoding& encoding() const { return encoding_; }
  std::size_t segment_count() const { return segments_.size(); }
  V2Segment segment(std::size_t i) const { return {*this, i}; }
  /// The `occurrence`-th (1-based) segment with this ID.
  std::optional<V2Segment> find(std::string_view id, std::size_t occurrence = 1) const;

  /// The raw value at `path` (escapes kept); empty when absent. MSH-1 and MSH-2 are never split.
  std::string_view get(const V2Path& path) const;
  /// get() decoded: escape sequences resolved and converted to UTF-8 per charset().
  std::string text_at(const V2Path& path) const;
  /// The character set declared by MSH-18, or `fallback` when absent or unknown.
  Charset charset(Charset fallback = Charset::Utf8) const;

 private:
  friend class V2Segment;
  struct SegmentRef {
    std::uint32_t offset;
    std::uint32_t length;
    std::uint32_t first_field;
    std::uint32_t field_count;
  };

  std::string text_;
  Encoding encoding_;
  std::vector<SegmentRef> segments_;
  std::vector<TextSpan> fields_;
  std::optional<Charset> declared_charset_;  // MSH-18, read once at parse
};

/// True for the segments that declare the delimiters: MSH, and the batch headers FHS and BHS.
/// Their field 1 is the field separator itself.
bool is_header_segment(std::string_view id);

/// Reads MSH-1 and MSH-2 from the start of a message (also FHS and BHS). Fails with
/// Errc::MissingHeader or Errc::MalformedHeader.
Result<Encoding> read_encoding(std::string_view header_segment);

}  // namespace hemalink::hl7
