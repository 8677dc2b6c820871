#include "protocols/hl7/v2_escape.hpp"

#include "protocols/common/hex.hpp"

namespace hemalink::hl7 {
namespace {

// \Xhhhh\: appends the bytes, or returns false when the digits are not an even run of hex.
bool append_hex(std::string_view digits, std::string& out) {
  if (digits.empty() || digits.size() % 2 != 0) {
    return false;
  }
  std::string bytes;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    int high = hex_digit_value(digits[i]);
    int low = hex_digit_value(digits[i + 1]);
    if (high < 0 || low < 0) {
      return false;
    }
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  out.append(bytes);
  return true;
}

}  // namespace

std::string unescape(std::string_view value, const Encoding& e) {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    const std::size_t hit = value.find(e.escape, i);
    if (hit == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    out.append(value.substr(i, hit - i));
    const std::size_t close = value.find(e.escape, hit + 1);
    if (close == std::string_view::npos || close == hit + 1) {
      out.push_back(e.escape);
      i = hit + 1;
      continue;
    }
    const std::string_view code = value.substr(hit + 1, close - hit - 1);
    char replacement = '\0';
    if (code.size() == 1) {
      switch (code[0]) {
        case 'F':
          replacement = e.field;
          break;
        case 'S':
          replacement = e.component;
          break;
        case 'T':
          replacement = e.subcomponent;
          break;
        case 'R':
          replacement = e.repetition;
          break;
        case 'E':
          replacement = e.escape;
          break;
        case 'P':
          replacement = e.truncation;
          break;
        default:
          break;
      }
    }
    if (replacement != '\0') {
      out.push_back(replacement);
    } else if (!(code[0] == 'X' && append_hex(code.substr(1), out))) {
      out.append(value.substr(hit, close - hit + 1));  // formatting or charset: as written
    }
    i = close + 1;
  }
  return out;
}

void escape_into(std::string_view value, const Encoding& e, std::string& out) {
  for (char c : value) {
    if (c == '\r' || c == '\n') {
      out.push_back(e.escape);
      out.append(c == '\r' ? "X0D" : "X0A");
      out.push_back(e.escape);
      continue;
    }
    char code = c == e.field                                  ? 'F'
                : c == e.component                            ? 'S'
                : c == e.subcomponent                         ? 'T'
                : c == e.repetition                           ? 'R'
                : c == e.escape                               ? 'E'
                : (e.truncation != '\0' && c == e.truncation) ? 'P'
                                                              : '\0';
    if (code == '\0') {
      out.push_back(c);
    } else {
      out.push_back(e.escape);
      out.push_back(code);
      out.push_back(e.escape);
    }
  }
}

}  // namespace hemalink::hl7

namespace hemalink::hl7 {

void reencode_into(std::string_view raw, const Encoding& from, const Encoding& to,
                   std::string& out) {
  for (char c : raw) {
    if (c == from.component) {
      out.push_back(to.component);
    } else if (c == from.repetition) {
      out.push_back(to.repetition);
    } else if (c == from.subcomponent) {
      out.push_back(to.subcomponent);
    } else if (c == from.escape) {
      out.push_back(to.escape);
    } else {
      escape_into(std::string_view(&c, 1), to, out);
    }
  }
}

}  // namespace hemalink::hl7
