#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/result.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/cli/capture_file.hpp"

namespace hemalink::cli {

struct CaptureOptions {
  std::optional<WireProtocol> protocol;  ///< nullopt: tell by content.
  /// Read as a live link would: none of the capture leniencies (see capture_link_options).
  bool is_strict = false;
};

/// A message decoded from a capture and where it started in the file.
template <typename Message>
struct Captured {
  Message message;
  std::size_t offset;
};

/// The messages of one capture file, parsed to field level.
struct CapturedMessages {
  WireProtocol protocol = WireProtocol::Astm;
  std::vector<Captured<astm::Lis2Message>> astm;
  std::vector<Captured<hl7::V2Message>> hl7;
  /// The listeners' leniencies applied (a byte-order mark before MSH, an MLLP start block with
  /// nothing after it, an H record's repeat delimiter written twice), each named with where;
  /// with is_strict each is an error instead.
  std::vector<std::string> leniencies;
};

/// The link options a capture is read with: E1381 when it is framed, bare records otherwise,
/// and unless `is_strict` the leniencies that text captures need (LF for CR in checksums, frame
/// numbers out of sequence, frames without ENQ, lenient trailers, one-digit checksums, comment
/// lines).
astm::LinkOptions capture_link_options(bool is_framed, bool is_strict);

/// Reads a capture file as an analyzer would send it (E1381 frames, bare LIS02 records, MLLP or
/// bare HL7; decimal byte arrays; see capture_file.hpp) into parsed messages. Every leniency
/// used and every incomplete message is added to `warnings`. Fails on the first malformed frame,
/// record, segment or MLLP block, naming the message, the record or segment and the byte offset.
Result<CapturedMessages> read_messages(std::string content, const CaptureOptions& options,
                                       std::vector<std::string>& warnings);

}  // namespace hemalink::cli
