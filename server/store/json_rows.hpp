#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::store {

/// Appends one row as a JSON object, the columns as its keys in order, to a list of rows that
/// json_populate_recordset turns into records of a table's row type: the batch statement takes
/// each table's rows as one parameter. Text is made storable first: PostgreSQL text cannot hold
/// NUL (it becomes U+FFFD) or invalid UTF-8 (read as Latin-1, so no byte is lost); the message's
/// raw bytes, in bytea, keep the original exactly.
class JsonRow {
 public:
  /// Starts a row in `out` (a comma-separated list of rows, without its brackets).
  JsonRow(std::string& out, std::span<const std::string> columns);
  ~JsonRow() { out_.push_back('}'); }
  JsonRow(const JsonRow&) = delete;
  JsonRow& operator=(const JsonRow&) = delete;

  JsonRow& text(std::string_view value);
  JsonRow& text_or_null(std::string_view value);
  JsonRow& bytea(std::string_view bytes);
  JsonRow& integer(long long value);
  /// Null for none and for what is not finite.
  JsonRow& number(std::optional<double> value);
  JsonRow& boolean(bool value);
  JsonRow& null();
  JsonRow& timestamp(std::chrono::system_clock::time_point at);
  /// A JSON array of strings, for text[] columns.
  JsonRow& text_array(const std::vector<std::string>& values);
  /// A JSON array of integers, for bigint[] columns.
  JsonRow& integer_array(const std::vector<long long>& values);
  /// Already-serialised JSON, for jsonb columns.
  JsonRow& json(std::string_view json_text);

 private:
  void key();

  std::string& out_;
  std::span<const std::string> columns_;
  std::size_t next_ = 0;
};

/// `rows` (what JsonRow appended) as a JSON array.
std::string json_array(const std::string& rows);

/// Appends `value` as a JSON string, made storable as JsonRow describes.
void append_json_string(std::string& out, std::string_view value);

/// `at` as a timestamptz literal in UTC with microseconds: 2026-11-22 09:41:07.123456+00.
std::string timestamp_literal(std::chrono::system_clock::time_point at);

}  // namespace hemalink::store
