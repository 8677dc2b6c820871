#include "protocols/hl7/v2_escape.hpp"

#include "protocols/common/hex.hpp"

namespace hemalink::hl7 {

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
    // \Xhhhh\: the bytes an even run of hex digits spells.
    const auto bytes =
        code[0] == 'X' && code.size() > 1 ? hex_decode(code.substr(1)) : std::nullopt;
    if (replacement != '\0') {
      out.push_back(replacement);
    } else if (bytes) {
      out.append(*bytes);
    } else {
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
