#include "server/transport/peer_allow_list.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace hemalink::transport {
namespace {

// An address as 16 bytes, IPv4 mapped into IPv6; the number of bits of the written form.
std::optional<std::pair<std::array<std::uint8_t, 16>, int>> read_address(std::string_view text) {
  const std::string s(text);
  std::array<std::uint8_t, 16> bytes{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    bytes[10] = 0xFF;
    bytes[11] = 0xFF;
    std::memcpy(&bytes[12], v4, 4);
    return std::pair{bytes, 32};
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    return std::pair{bytes, 128};
  }
  return std::nullopt;
}

bool matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
             int bits) {
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<PeerAllowList> PeerAllowList::parse(const std::vector<std::string>& patterns,
                                                  std::string* bad_pattern) {
  PeerAllowList list;
  for (const auto& pattern : patterns) {
    const auto slash = pattern.find('/');
    const auto address = read_address(std::string_view(pattern).substr(0, slash));
    int prefix = address ? address->second : -1;
    if (address && slash != std::string::npos) {
      const auto digits = std::string_view(pattern).substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
          prefix < 0 || prefix > address->second) {
        prefix = -1;
      }
    }
    if (prefix < 0) {
      if (bad_pattern != nullptr) {
        *bad_pattern = pattern;
      }
      return std::nullopt;
    }
    // An IPv4 prefix counts from the start of its mapped form.
    list.blocks_.push_back({address->first, address->second == 32 ? 96 + prefix : prefix});
  }
  return list;
}

bool PeerAllowList::allows(std::string_view address) const {
  if (blocks_.empty()) {
    return true;
  }
  const auto peer = read_address(address);
  if (!peer) {
    return false;
  }
  for (const auto& block : blocks_) {
    if (matches(block.address, peer->first, block.prefix_bits)) {
      return true;
    }
  }
  return false;
}

}  // namespace hemalink::transport
