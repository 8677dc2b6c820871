#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::hl7 {

/// MSA-1 acknowledgment codes (HL7 Table 0008). AA/AE/AR answer in original mode; CA/CE/CR are
/// the commit acknowledgments of enhanced mode (chapter 2.9).
enum class AckCode { AA, AE, AR, CA, CE, CR };

enum class AckOutcome {
  Accepted,  ///< Stored: AA or CA.
  Error,     ///< Understood but not accepted (a segment or field was wrong): AE or CE.
  Rejected,  ///< Not processed at all (not parseable, unsupported): AR or CR.
};

/// What an ACK echoes from the message it answers (MSH-3..6, MSH-9.2, MSH-10, MSH-11, MSH-12,
/// and MSH-15/16 for the mode). Read from a parsed message, or best effort from raw bytes when
/// the message did not parse.
struct AckContext {
  std::string sending_application;
  std::string sending_facility;
  std::string receiving_application;
  std::string receiving_facility;
  std::string message_code;  ///< MSH-9.1 (ORU, QBP, ACK...).
  std::string trigger_event;
  std::string control_id;
  std::string processing_id;
  std::string version;
  bool is_enhanced_mode = false;  ///< MSH-15 or MSH-16 valued.
  Encoding encoding;

  static AckContext from(const V2Message& message);
  /// Reads MSH fields straight from raw bytes; missing fields stay empty.
  static AckContext from_raw(std::string_view raw);
};

/// Where an error is and what it is, for the ERR segment (HL7 Table 0357 codes: 100 segment
/// sequence error, 101 required field missing, 102 data type error, 103 table value not found,
/// 200 unsupported message type, 207 application internal error).
struct AckError {
  std::string segment_id;
  std::size_t segment_sequence = 0;
  std::size_t field = 0;
  int code = 207;
  std::string message;
};

struct AckHeader {
  std::string application = "hemalink";  ///< Used when the original MSH-5 is empty.
  std::string facility;
  std::string control_id;  ///< MSH-10 of the ACK itself.
  std::string timestamp;   ///< MSH-7, YYYYMMDDHHMMSS[.S][+/-ZZZZ].
};

/// The MSA-1 code for `outcome` in the mode the original asked for.
AckCode ack_code(AckOutcome outcome, bool is_enhanced_mode);
const char* to_string(AckCode code);

/// Builds an ACK (MSH, MSA with MSA-2 = the original MSH-10, and for errors an ERR segment and
/// MSA-3 text) and appends it, CR-terminated, to `out`. ERR uses ERR-2..ERR-8 from v2.5 on and
/// ERR-1 before, according to the original's MSH-12.
void build_ack(const AckContext& original, AckCode code, const std::optional<AckError>& error,
               const AckHeader& header, std::string& out);

}  // namespace hemalink::hl7
