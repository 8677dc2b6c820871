#pragma once

#include <string>
#include <string_view>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::hl7 {

/// Resolves HL7 v2 escape sequences (chapter 2.7): \F\ \S\ \T\ \R\ \E\ become the delimiters,
/// \Xhh..\ the bytes it spells in hex. Formatting and character-set sequences (\.br\, \H\, \N\,
/// \Cxxyy\, \Mxxyyzz\, \Zxx\) pass through as written, for the consumer to interpret. An escape
/// character without its closing partner is kept as it is.
std::string unescape(std::string_view value, const Encoding& encoding);

/// Writes `value` escaping every delimiter character (and the truncation character when
/// declared) and the segment terminators CR and LF (as \X0D\ and \X0A\), so that unescape()
/// gives `value` back and no value can end its segment.
void escape_into(std::string_view value, const Encoding& encoding, std::string& out);

/// Writes a raw field (escapes and structure kept) of a message encoded with `from` as the same
/// field encoded with `to`: delimiters are translated, and characters that are delimiters only
/// in `to`, or segment terminators, are escaped. For echoing an analyzer's fields in an ACK.
void reencode_into(std::string_view raw, const Encoding& from, const Encoding& to,
                   std::string& out);

}  // namespace hemalink::hl7
