#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

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

}  // namespace hemalink
