#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hemalink {

/// The case of the letters A-F in hex text. Each user keeps the one its reader wants: ASTM
/// checksums are upper case (LIS01-A2 8.3.1); UUIDs, digests, tokens and PostgreSQL's bytea and
/// JSON escapes are lower case.
enum class HexCase { Upper, Lower };

/// Appends two hex digits for each byte of `bytes` to `out`, high nibble first: "\x1F\xA0" gives
/// "1FA0" (Upper) or "1fa0" (Lower).
void append_hex(std::string& out, std::string_view bytes, HexCase letters);
void append_hex(std::string& out, std::span<const std::uint8_t> bytes, HexCase letters);

/// `bytes` as hex text (two digits a byte, high nibble first).
std::string hex_encode(std::string_view bytes, HexCase letters);
std::string hex_encode(std::span<const std::uint8_t> bytes, HexCase letters);

/// The bytes that `digits` spells, two hex digits (either case) a byte; nullopt when `digits`
/// has an odd length or anything but hex digits. Empty text is no bytes.
std::optional<std::string> hex_decode(std::string_view digits);

}  // namespace hemalink
