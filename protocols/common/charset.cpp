#include "protocols/common/charset.hpp"

#include "protocols/common/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace hemalink {
namespace {

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

}  // namespace

std::optional<Charset> charset_from_hl7(std::string_view msh18) {
  // MSH-18 may repeat; the first repetition is the default character set of the message.
  msh18 = trim(msh18.substr(0, msh18.find('~')));
  if (equals_ignoring_case(msh18, "ASCII")) {
    return Charset::Ascii;
  }
  if (equals_ignoring_case(msh18, "8859/1")) {
    return Charset::Latin1;
  }
  if (equals_ignoring_case(msh18, "UNICODE UTF-8") || equals_ignoring_case(msh18, "UNICODE") ||
      equals_ignoring_case(msh18, "UTF-8")) {
    return Charset::Utf8;
  }
  return std::nullopt;
}

std::optional<Charset> charset_from_name(std::string_view name) {
  if (equals_ignoring_case(name, "ascii")) {
    return Charset::Ascii;
  }
  if (equals_ignoring_case(name, "latin1") || equals_ignoring_case(name, "iso-8859-1")) {
    return Charset::Latin1;
  }
  if (equals_ignoring_case(name, "utf8") || equals_ignoring_case(name, "utf-8")) {
    return Charset::Utf8;
  }
  return std::nullopt;
}

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t code = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, code = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, code = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) {
      return false;
    }
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      code = (code << 6) | (p[i] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

std::string to_utf8(std::string_view text, Charset charset) {
  if (is_ascii(text)) {
    return std::string(text);
  }
  if (charset != Charset::Latin1 && is_valid_utf8(text)) {
    return std::string(text);
  }
  return latin1_to_utf8(text);
}

}  // namespace hemalink
