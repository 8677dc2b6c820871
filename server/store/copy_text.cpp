#include "server/store/copy_text.hpp"

#include <fmt/format.h>

#include <cmath>

#include "protocols/common/charset.hpp"
#include "protocols/common/hex.hpp"

namespace hemalink::store {
namespace {

void append_escaped_valid(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\0':
        out.append("\xEF\xBF\xBD");  // U+FFFD: text columns cannot hold NUL
        break;
      default:
        out.push_back(c);
    }
  }
}

// Inside an array literal, " and \ are escaped with a backslash before COPY escaping.
std::string array_element(std::string_view value) {
  std::string element;
  element.reserve(value.size() + 2);
  element.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') {
      element.push_back('\\');
    }
    element.push_back(c);
  }
  element.push_back('"');
  return element;
}

}  // namespace

void append_copy_escaped(std::string& out, std::string_view value) {
  if (is_valid_utf8(value)) {
    append_escaped_valid(out, value);
  } else {
    append_escaped_valid(out, to_utf8(value, Charset::Latin1));
  }
}

void CopyLine::separate() {
  if (!first_) {
    out_.push_back('\t');
  }
  first_ = false;
}

CopyLine& CopyLine::text(std::string_view value) {
  separate();
  append_copy_escaped(out_, value);
  return *this;
}

CopyLine& CopyLine::text_or_null(std::string_view value) {
  return value.empty() ? null() : text(value);
}

CopyLine& CopyLine::bytea(std::string_view bytes) {
  separate();
  out_.append("\\\\x");  // \x hex input format, its backslash escaped for COPY
  append_hex(out_, bytes, HexCase::Lower);
  return *this;
}

CopyLine& CopyLine::integer(long long value) {
  separate();
  fmt::format_to(std::back_inserter(out_), "{}", value);
  return *this;
}

CopyLine& CopyLine::number(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) {
    return null();
  }
  separate();
  fmt::format_to(std::back_inserter(out_), "{}", *value);
  return *this;
}

CopyLine& CopyLine::boolean(bool value) {
  separate();
  out_.push_back(value ? 't' : 'f');
  return *this;
}

CopyLine& CopyLine::null() {
  separate();
  out_.append("\\N");
  return *this;
}

CopyLine& CopyLine::timestamp(std::chrono::system_clock::time_point at) {
  separate();
  out_.append(timestamp_literal(at));
  return *this;
}

CopyLine& CopyLine::text_array(const std::vector<std::string>& values) {
  separate();
  out_.push_back('{');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) {
      out_.push_back(',');
    }
    append_copy_escaped(out_, array_element(values[i]));
  }
  out_.push_back('}');
  return *this;
}

CopyLine& CopyLine::integer_array(const std::vector<long long>& values) {
  separate();
  out_.push_back('{');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) {
      out_.push_back(',');
    }
    fmt::format_to(std::back_inserter(out_), "{}", values[i]);
  }
  out_.push_back('}');
  return *this;
}

CopyLine& CopyLine::json(std::string_view json_text) {
  separate();
  append_copy_escaped(out_, json_text);
  return *this;
}

}  // namespace hemalink::store
