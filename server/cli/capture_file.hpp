#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::cli {

using model::WireProtocol;

/// A file as an analyzer would send it, made ready for the codecs. Files hold captures in the
/// forms people publish: raw bytes, or the bytes of each read written as decimal arrays
/// (`[[5], [2, 49, 72, ...]]`), sometimes with `#` comment lines on top and, for HL7 copied
/// from tutorials, the literal text `<cr>` where a segment terminator belongs.
struct CaptureFile {
  std::string bytes;
  std::vector<std::string> warnings;  ///< Every normalisation applied, for stderr.
};

/// Decodes a decimal byte-array capture if `content` is one; otherwise returns it as it is.
/// Fails when the arrays hold a number outside 0-255.
Result<CaptureFile> read_capture(std::string content);

/// Tells ASTM from HL7 by content: MSH/FHS/BHS (after any UTF-8 byte-order mark) or VT start
/// HL7; ENQ, STX or an H record start ASTM. Leading comment lines, blank lines and stray control
/// bytes are skipped.
Result<WireProtocol> detect_protocol(std::string_view bytes);

/// Removes `#` comment lines before the first message and turns `<cr>` markers at line ends into
/// CR. Each change is added to `warnings`.
void normalise_text_capture(std::string& bytes, WireProtocol protocol,
                            std::vector<std::string>& warnings);

}  // namespace hemalink::cli
