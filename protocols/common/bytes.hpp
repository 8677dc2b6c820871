#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hemalink {

/// Bytes as they arrive from an analyzer: a read-only window into the caller's buffer.
using ByteView = std::span<const std::byte>;

/// Views text as bytes without copying (for feeding codecs from strings in tests and tools).
inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

/// Views bytes as text without copying. Text here means "8-bit characters", not UTF-8.
inline std::string_view as_text(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

/// A view stored as offset and length into a buffer owned elsewhere. Unlike string_view it stays
/// valid when the owning std::string is moved (small-string buffers move their bytes).
struct TextSpan {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  std::string_view in(std::string_view buffer) const { return buffer.substr(offset, length); }
};

/// Link-control and framing bytes of ASTM E1381 (CLSI LIS01-A2) and HL7 MLLP.
namespace ctl {
inline constexpr char kStx = 0x02;
inline constexpr char kEtx = 0x03;
inline constexpr char kEot = 0x04;
inline constexpr char kEnq = 0x05;
inline constexpr char kAck = 0x06;
inline constexpr char kLf = 0x0A;
inline constexpr char kVt = 0x0B;
inline constexpr char kCr = 0x0D;
inline constexpr char kNak = 0x15;
inline constexpr char kEtb = 0x17;
inline constexpr char kFs = 0x1C;
}  // namespace ctl

}  // namespace hemalink
