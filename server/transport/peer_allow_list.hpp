#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::transport {

/// The peer addresses an analyzer may connect from (`allowed_peers`: addresses and CIDR
/// blocks, IPv4 or IPv6). IPv4 peers seen through a dual-stack socket (::ffff:10.1.2.3) match
/// IPv4 blocks. An empty list allows everyone.
class PeerAllowList {
 public:
  /// Nullopt names the first pattern that is neither an address nor a CIDR block.
  static std::optional<PeerAllowList> parse(const std::vector<std::string>& patterns,
                                            std::string* bad_pattern = nullptr);

  bool allows(std::string_view address) const;
  bool allows_everyone() const { return blocks_.empty(); }

 private:
  struct Block {
    std::array<std::uint8_t, 16> address{};  // IPv4 as ::ffff:a.b.c.d
    int prefix_bits = 128;
  };

  std::vector<Block> blocks_;
};

}  // namespace hemalink::transport
