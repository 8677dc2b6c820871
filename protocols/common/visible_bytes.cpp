#include "protocols/common/visible_bytes.hpp"

#include <array>

namespace hemalink {
namespace {

const char* control_name(unsigned char c) {
  static constexpr std::array<const char*, 32> kNames = {
      "<NUL>", "<SOH>", "<STX>", "<ETX>", "<EOT>", "<ENQ>", "<ACK>", "<BEL>",
      "<BS>",  "<HT>",  "<LF>",  "<VT>",  "<FF>",  "<CR>",  "<SO>",  "<SI>",
      "<DLE>", "<DC1>", "<DC2>", "<DC3>", "<DC4>", "<NAK>", "<SYN>", "<ETB>",
      "<CAN>", "<EM>",  "<SUB>", "<ESC>", "<FS>",  "<GS>",  "<RS>",  "<US>"};
  return c < kNames.size() ? kNames[c] : nullptr;
}

}  // namespace

std::string visible_bytes(std::string_view bytes, std::size_t max) {
  std::string out;
  const auto shown = bytes.substr(0, max);
  out.reserve(shown.size() + 16);
  for (char ch : shown) {
    const auto c = static_cast<unsigned char>(ch);
    if (const char* name = control_name(c)) {
      out += name;
    } else if (c == 0x7F) {
      out += "\\x7F";
    } else {
      out.push_back(ch);
    }
  }
  if (bytes.size() > max) {
    out += "... (" + std::to_string(bytes.size()) + " bytes)";
  }
  return out;
}

}  // namespace hemalink
