#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace hemalink {

/// Finds the next CR or LF (the record terminators of LIS02-A2 and the segment terminators of
/// HL7, LF being what captures and some senders use). Each memchr hit is remembered, so text
/// that uses only one of the two is still scanned once in all, not once per line.
class LineEnds {
 public:
  explicit LineEnds(const char* end) : end_(end) {}

  /// The first CR or LF at or after `from`, or the end of the text.
  const char* next(const char* from) {
    return std::min(advance(from, '\r', &next_cr_), advance(from, '\n', &next_lf_));
  }

 private:
  const char* advance(const char* from, char c, const char** cached) {
    if (*cached == nullptr || (*cached < from && *cached != end_)) {
      const auto* hit =
          static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end_ - from)));
      *cached = hit ? hit : end_;
    }
    return *cached;
  }

  const char* end_;
  const char* next_cr_ = nullptr;
  const char* next_lf_ = nullptr;
};

/// The first `c` in [from, end), or `end`. Fields are mostly a few bytes long, where an inline
/// scan beats a memchr call; after 16 bytes the field is probably long (a base64 image) and
/// memchr takes over.
inline const char* find_delimiter(const char* from, const char* end, char c) {
  const char* inline_end = end - from > 16 ? from + 16 : end;
  for (; from < inline_end; ++from) {
    if (*from == c) {
      return from;
    }
  }
  if (from == end) {
    return end;
  }
  const auto* hit =
      static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end - from)));
  return hit != nullptr ? hit : end;
}

/// The first of two bytes in `text` at or after `from`, or npos: two memchr scans instead of
/// string_view::find_first_of, which tests each byte against the set one call at a time.
inline std::size_t find_either(std::string_view text, char a, char b, std::size_t from = 0) {
  if (from >= text.size()) {
    return std::string_view::npos;
  }
  const char* begin = text.data() + from;
  std::size_t length = text.size() - from;
  const auto* hit_a = static_cast<const char*>(std::memchr(begin, a, length));
  if (hit_a != nullptr) {
    length = static_cast<std::size_t>(hit_a - begin);
  }
  const auto* hit_b = static_cast<const char*>(std::memchr(begin, b, length));
  const char* hit = hit_b != nullptr ? hit_b : hit_a;
  return hit == nullptr ? std::string_view::npos : static_cast<std::size_t>(hit - text.data());
}

}  // namespace hemalink
