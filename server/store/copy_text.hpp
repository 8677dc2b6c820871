#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/json_rows.hpp"

namespace hemalink::store {

/// Appends values in PostgreSQL's COPY text format (tab-separated, backslash escapes, \N for
/// NULL). Text is made storable first: PostgreSQL text cannot hold NUL (it becomes U+FFFD) or
/// invalid UTF-8 (read as Latin-1, so no byte is lost); the message's raw bytes, in bytea, keep
/// the original exactly.
class CopyLine {
 public:
  explicit CopyLine(std::string& out) : out_(out) {}
  /// The same; the columns are the COPY statement's, which the values follow in order (the
  /// signature of JsonRow's, so that one template writes rows in either form).
  CopyLine(std::string& out, std::span<const std::string>) : out_(out) {}
  ~CopyLine() { out_.push_back('\n'); }
  CopyLine(const CopyLine&) = delete;
  CopyLine& operator=(const CopyLine&) = delete;

  CopyLine& text(std::string_view value);
  CopyLine& text_or_null(std::string_view value);
  CopyLine& bytea(std::string_view bytes);
  CopyLine& integer(long long value);
  CopyLine& number(std::optional<double> value);
  CopyLine& boolean(bool value);
  CopyLine& null();
  CopyLine& timestamp(std::chrono::system_clock::time_point at);
  /// A text[] literal: {"a","b"}.
  CopyLine& text_array(const std::vector<std::string>& values);
  /// A bigint[] literal: {1,2}.
  CopyLine& integer_array(const std::vector<long long>& values);
  /// Already-serialised JSON, for jsonb columns.
  CopyLine& json(std::string_view json_text);

 private:
  void separate();

  std::string& out_;
  bool first_ = true;
};

/// Appends `value` escaped for COPY text format, made storable as CopyLine describes.
void append_copy_escaped(std::string& out, std::string_view value);

}  // namespace hemalink::store
