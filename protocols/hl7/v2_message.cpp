#include "protocols/hl7/v2_message.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cstring>

#include "protocols/common/line_ends.hpp"
#include "protocols/common/split.hpp"
#include "protocols/hl7/errc.hpp"
#include "protocols/hl7/v2_escape.hpp"

namespace hemalink::hl7 {
namespace {

bool is_segment_end(char c) {
  return c == '\r' || c == '\n';
}

bool is_id_char(char c) {
  return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(c);
}

ParseError segment_error(Errc code, std::size_t number, std::size_t offset, std::string what) {
  return {make_error_code(code), fmt::format("segment {}: {}", number, what), offset};
}

}  // namespace

std::size_t V2Segment::field_count() const {
  return message_->segments_[index_].field_count;
}

std::string_view V2Segment::field(std::size_t i) const {
  const auto& ref = message_->segments_[index_];
  if (i >= ref.field_count) {
    return {};
  }
  return message_->fields_[ref.first_field + i].in(message_->text_);
}

std::string_view V2Segment::raw() const {
  const auto& ref = message_->segments_[index_];
  return std::string_view(message_->text_).substr(ref.offset, ref.length);
}

std::size_t V2Segment::offset() const {
  return message_->segments_[index_].offset;
}

bool is_header_segment(std::string_view id) {
  return id == "MSH" || id == "FHS" || id == "BHS";
}

Result<Encoding> read_encoding(std::string_view header) {
  if (header.size() < 3 || !is_header_segment(header.substr(0, 3))) {
    return ParseError{make_error_code(Errc::MissingHeader),
                      fmt::format("segment 1: expected MSH, found {:?}", header.substr(0, 8)), 0};
  }
  auto fail = [&](std::string what) -> Result<Encoding> {
    return ParseError{make_error_code(Errc::MalformedHeader),
                      fmt::format("segment 1 ({}): {}", header.substr(0, 3), what), 3};
  };
  if (header.size() < 8) {
    return fail("too short to hold MSH-1 and MSH-2");
  }
  Encoding e;
  e.field = header[3];
  std::string_view chars = header.substr(4);
  // MSH-2 ends at the next field separator, or at the segment's end when MSH has no MSH-3.
  const char ends[] = {e.field, '\r', '\n', '\0'};
  chars = chars.substr(0, chars.find_first_of(std::string_view(ends, 3)));
  if (chars.size() < 4 || chars.size() > 5) {
    return fail(fmt::format("MSH-2 must hold 4 or 5 encoding characters, found {:?}", chars));
  }
  e.component = chars[0];
  e.repetition = chars[1];
  e.escape = chars[2];
  e.subcomponent = chars[3];
  e.truncation = chars.size() == 5 ? chars[4] : '\0';
  char all_chars[6] = {e.field};
  chars.copy(all_chars + 1, chars.size());
  const std::string_view all(all_chars, chars.size() + 1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto c = static_cast<unsigned char>(all[i]);
    if (std::isalnum(c) || c <= ' ' || c == 0x7F) {
      return fail(
          fmt::format("delimiter {:?} is a letter, digit, space or control character", all[i]));
    }
    if (all.find(all[i], i + 1) != std::string_view::npos) {
      return fail(fmt::format("delimiter {:?} is declared twice", all[i]));
    }
  }
  return e;
}

Result<V2Message> V2Message::parse(std::string text, const V2Limits& limits) {
  if (text.size() > limits.max_message_bytes || text.size() > UINT32_MAX) {
    return ParseError{make_error_code(Errc::MessageTooLarge),
                      fmt::format("message of {} bytes exceeds the limit of {}", text.size(),
                                  limits.max_message_bytes),
                      limits.max_message_bytes};
  }
  V2Message message;
  message.text_ = std::move(text);
  const std::string_view all(message.text_);
  std::size_t start = 0;
  while (start < all.size() && is_segment_end(all[start])) {
    ++start;
  }
  auto encoding = read_encoding(all.substr(start));
  if (!encoding) {
    auto error = encoding.error();
    error.byte_offset += start;
    return error;
  }
  message.encoding_ = *encoding;
  const char sep = message.encoding_.field;
  const char* const base = all.data();
  const char* const end = base + all.size();
  const char* p = base + start;
  LineEnds terminators(end);
  message.segments_.reserve(std::min<std::size_t>(all.size() / 64 + 1, 1024));
  message.fields_.reserve(std::min<std::size_t>(all.size() / 8 + 1, 8192));
  while (p < end) {
    if (is_segment_end(*p)) {
      ++p;
      continue;
    }
    const std::size_t number = message.segments_.size() + 1;
    const auto offset = static_cast<std::size_t>(p - base);
    if (number > limits.max_segments) {
      return segment_error(Errc::TooManySegments, number, offset,
                           fmt::format("more than {} segments", limits.max_segments));
    }
    if (end - p < 3 || !is_id_char(p[0]) || !is_id_char(p[1]) || !is_id_char(p[2]) ||
        (end - p > 3 && p[3] != sep && !is_segment_end(p[3]))) {
      return segment_error(Errc::MalformedSegment, number, offset,
                           fmt::format("expected a 3-character segment ID, found {:?}",
                                       std::string_view(p, std::min<std::ptrdiff_t>(end - p, 8))));
    }
    SegmentRef ref{static_cast<std::uint32_t>(offset), 0,
                   static_cast<std::uint32_t>(message.fields_.size()), 0};
    const bool is_header = is_header_segment(std::string_view(p, 3));
    const char* segment_end = terminators.next(p);
    const char* field_start = p;
    while (true) {
      const char* field_end = find_delimiter(field_start, segment_end, sep);
      const char* hit = field_end == segment_end ? nullptr : field_end;
      message.fields_.push_back({static_cast<std::uint32_t>(field_start - base),
                                 static_cast<std::uint32_t>(field_end - field_start)});
      ++ref.field_count;
      if (is_header && ref.field_count == 1 && hit) {
        // MSH-1 is the field separator itself.
        message.fields_.push_back({static_cast<std::uint32_t>(hit - base), 1});
        ++ref.field_count;
      }
      if (!hit) {
        break;
      }
      field_start = hit + 1;
    }
    ref.length = static_cast<std::uint32_t>(segment_end - p);
    p = segment_end;
    message.segments_.push_back(ref);
  }
  if (auto msh = message.find("MSH")) {
    message.declared_charset_ = charset_from_hl7(msh->field(18));
  }
  return message;
}

std::optional<V2Segment> V2Message::find(std::string_view id, std::size_t occurrence) const {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    V2Segment s(*this, i);
    if (s.id() == id && ++seen == occurrence) {
      return s;
    }
  }
  return std::nullopt;
}

std::string_view V2Message::get(const V2Path& path) const {
  auto segment = find(path.segment, path.occurrence);
  if (!segment || path.field == 0) {
    return segment && path.field == 0 ? segment->id() : std::string_view{};
  }
  std::string_view value = segment->field(path.field);
  if (is_header_segment(segment->id()) && path.field <= 2) {
    return value;
  }
  value = nth_part(value, encoding_.repetition, path.repetition);
  if (path.component > 0) {
    value = nth_part(value, encoding_.component, path.component);
  }
  if (path.subcomponent > 0) {
    value = nth_part(value, encoding_.subcomponent, path.subcomponent);
  }
  return value;
}

std::string V2Message::text_at(const V2Path& path) const {
  return to_utf8(unescape(get(path), encoding_), charset());
}

Charset V2Message::charset(Charset fallback) const {
  return declared_charset_.value_or(fallback);
}

}  // namespace hemalink::hl7
