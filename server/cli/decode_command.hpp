#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"
#include "server/cli/capture_file.hpp"
#include "server/cli/command_line.hpp"

namespace hemalink::cli {

struct DecodeOptions {
  std::optional<WireProtocol> protocol;  ///< nullopt: tell by content.
  /// Decode as a live link would: no capture leniencies (LF for CR in checksums, frame numbers
  /// out of sequence, frames without ENQ, lenient frame trailers, comment lines).
  bool is_strict = false;
  Charset astm_charset = Charset::Latin1;
  /// With a driver, the canonical result sets are added as "results".
  std::optional<std::string> driver;
  /// The shipped mapping table the driver's table starts from, as an analyzer's "base" ("none":
  /// none); nullopt: the driver's own (config::default_mapping_base; none for generic drivers).
  std::optional<std::string> base;
  /// The lab's mapping table (JSON text), its entries over the base's.
  std::string mappings_text;
  std::string mappings_source;
};

/// Decodes `content` (a whole file) into the JSON document of `hemalink decode`:
/// {"protocol": "astm"|"hl7", "messages": [{"records": [{"type": ..., "fields": [...]}]}]}.
/// Fields are as on the wire (escapes kept), converted to UTF-8. Every capture leniency used and
/// every incomplete message is added to `warnings`; the listeners' leniencies applied are listed
/// in "leniencies" (refused with is_strict). Fails on the first malformed frame, record,
/// segment or MLLP block, naming the message, the record or segment and the byte offset.
Result<nlohmann::json> decode_content(std::string content, const DecodeOptions& options,
                                      std::vector<std::string>& warnings);

/// Adds `hemalink decode [--protocol astm|hl7|auto] [--strict] [--charset NAME] [--driver NAME
/// [--base TABLE] [--mappings FILE]] FILE`: prints the JSON to `out`, warnings and errors to `err`;
/// exit status 0, 1 when the file cannot be read through, 2 when it cannot be decoded.
void add_decode_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
