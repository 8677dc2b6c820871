#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hemalink::store {

/// CRC-32 (IEEE 802.3, as zlib computes it), to tell a torn or damaged spool record.
inline std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0) {
  static const auto kTable = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) {
        c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      }
      table[i] = c;
    }
    return table;
  }();
  crc = ~crc;
  for (unsigned char byte : data) {
    crc = kTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace hemalink::store
