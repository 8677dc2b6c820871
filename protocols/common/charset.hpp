#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hemalink {

/// How the 8-bit text of a message is to be read. ASTM has no in-band declaration (the analyzer's
/// configuration says, Latin-1 by default); HL7 declares it in MSH-18.
enum class Charset {
  Ascii,
  Latin1,  ///< ISO 8859-1 (HL7 "8859/1").
  Utf8,    ///< HL7 "UNICODE UTF-8" and, in practice, the bare "UNICODE" that Mindray sends.
};

/// Maps an HL7 MSH-18 value (Table 0211) to a Charset; empty or unknown values give nullopt so
/// the caller applies its configured default.
std::optional<Charset> charset_from_hl7(std::string_view msh18);

/// Maps a configuration name ("ascii", "latin1"/"iso-8859-1", "utf8"/"utf-8") to a Charset.
std::optional<Charset> charset_from_name(std::string_view name);

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// Returns `text` as valid UTF-8. Latin-1 maps byte for byte; ASCII and UTF-8 input that is not
/// valid is read as Latin-1 instead, so a wrong declaration never loses a byte and never yields
/// invalid UTF-8.
std::string to_utf8(std::string_view text, Charset charset);

/// `text` without a leading UTF-8 byte-order mark (EF BB BF), which some LIS put before MSH.
inline std::string_view without_byte_order_mark(std::string_view text) {
  return text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
}

}  // namespace hemalink
