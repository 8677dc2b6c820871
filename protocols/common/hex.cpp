#include "protocols/common/hex.hpp"

namespace hemalink {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

void append_hex(std::string& out, std::string_view bytes, HexCase letters) {
  const char* digits = letters == HexCase::Upper ? "0123456789ABCDEF" : "0123456789abcdef";
  out.reserve(out.size() + 2 * bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0x0F]);
  }
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes, HexCase letters) {
  append_hex(out, as_chars(bytes), letters);
}

std::string hex_encode(std::string_view bytes, HexCase letters) {
  std::string out;
  append_hex(out, bytes, letters);
  return out;
}

std::string hex_encode(std::span<const std::uint8_t> bytes, HexCase letters) {
  return hex_encode(as_chars(bytes), letters);
}

std::optional<std::string> hex_decode(std::string_view digits) {
  if (digits.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string bytes;
  bytes.reserve(digits.size() / 2);
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const int high = digit_value(digits[i]);
    const int low = digit_value(digits[i + 1]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

}  // namespace hemalink
