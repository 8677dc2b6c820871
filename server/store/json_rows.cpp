#include "server/store/json_rows.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "drivers/model/compact_time.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/hex.hpp"

namespace hemalink::store {
namespace {

void append_escaped_valid(std::string& out, std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\0') {
      out.append("\xEF\xBF\xBD");  // U+FFFD: text columns cannot hold NUL
    } else if (u < 0x20) {
      out.append("\\u00");
      append_hex(out, std::string_view(&c, 1), HexCase::Lower);
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  out.push_back('"');
  if (is_valid_utf8(value)) {
    append_escaped_valid(out, value);
  } else {
    append_escaped_valid(out, to_utf8(value, Charset::Latin1));
  }
  out.push_back('"');
}

std::string json_array(const std::string& rows) {
  std::string out;
  out.reserve(rows.size() + 2);
  out.push_back('[');
  out.append(rows);
  out.push_back(']');
  return out;
}

std::string timestamp_literal(std::chrono::system_clock::time_point at) {
  const auto t = model::utc_parts(at);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", t.year, t.month, t.day,
                     t.hours, t.minutes, t.seconds, t.microseconds);
}

JsonRow::JsonRow(std::string& out, std::span<const std::string> columns)
    : out_(out), columns_(columns) {
  if (!out_.empty()) {
    out_.push_back(',');
  }
  out_.push_back('{');
}

void JsonRow::key() {
  if (next_ >= columns_.size()) {
    throw std::logic_error(fmt::format("a row of {} columns given another value", columns_.size()));
  }
  if (next_ != 0) {
    out_.push_back(',');
  }
  out_.push_back('"');
  out_.append(columns_[next_++]);
  out_.append("\":");
}

JsonRow& JsonRow::text(std::string_view value) {
  key();
  append_json_string(out_, value);
  return *this;
}

JsonRow& JsonRow::text_or_null(std::string_view value) {
  return value.empty() ? null() : text(value);
}

JsonRow& JsonRow::bytea(std::string_view bytes) {
  key();
  out_.append("\"\\\\x");  // bytea's \x hex input format, its backslash escaped for JSON
  append_hex(out_, bytes, HexCase::Lower);
  out_.push_back('"');
  return *this;
}

JsonRow& JsonRow::integer(long long value) {
  key();
  fmt::format_to(std::back_inserter(out_), "{}", value);
  return *this;
}

JsonRow& JsonRow::number(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) {
    return null();
  }
  key();
  fmt::format_to(std::back_inserter(out_), "{}", *value);
  return *this;
}

JsonRow& JsonRow::boolean(bool value) {
  key();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonRow& JsonRow::null() {
  key();
  out_.append("null");
  return *this;
}

JsonRow& JsonRow::timestamp(std::chrono::system_clock::time_point at) {
  key();
  out_.push_back('"');
  out_.append(timestamp_literal(at));
  out_.push_back('"');
  return *this;
}

JsonRow& JsonRow::text_array(const std::vector<std::string>& values) {
  key();
  out_.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) {
      out_.push_back(',');
    }
    append_json_string(out_, values[i]);
  }
  out_.push_back(']');
  return *this;
}

JsonRow& JsonRow::integer_array(const std::vector<long long>& values) {
  key();
  out_.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) {
      out_.push_back(',');
    }
    fmt::format_to(std::back_inserter(out_), "{}", values[i]);
  }
  out_.push_back(']');
  return *this;
}

JsonRow& JsonRow::json(std::string_view json_text) {
  key();
  out_.append(json_text);
  return *this;
}

}  // namespace hemalink::store
