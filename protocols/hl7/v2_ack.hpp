#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocols/hl7/v2_message.hpp"
#include "protocols/hl7/v2_writer.hpp"

namespace hemalink::hl7 {

/// MSA-1 acknowledgment codes (HL7 Table 0008). AA/AE/AR answer in original mode; CA/CE/CR are
/// the commit acknowledgments of enhanced mode (chapter 2.9).
enum class AckCode { AA, AE, AR, CA, CE, CR };

enum class AckOutcome {
  Accepted,  ///< Stored: AA or CA.
  Error,     ///< Understood but not accepted (a segment or field was wrong): AE or CE.
  Rejected,  ///< Not processed at all (not parseable, unsupported): AR or CR.
};

/// HL7 Table 0155: when the sender wants an acknowledgement (MSH-15 the commit one, MSH-16 the
/// application one, in enhanced mode).
enum class AckCondition {
  Always,     ///< AL
  Never,      ///< NE, and an empty field (the sender named no condition for that one)
  OnError,    ///< ER: only when the message was refused or had errors
  OnSuccess,  ///< SU: only when it was accepted
};

/// MSH-15/16 as sent; empty is Never, and a value outside the table Always (answering a sender
/// that asked in a way we do not know is safer than keeping quiet).
AckCondition ack_condition(std::string_view code);
/// Whether an acknowledgement with `outcome` is wanted under `condition`.
bool is_wanted(AckCondition condition, AckOutcome outcome);

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
  bool is_enhanced_mode = false;                   ///< MSH-15 or MSH-16 valued.
  AckCondition accept = AckCondition::Never;       ///< MSH-15, in enhanced mode.
  AckCondition application = AckCondition::Never;  ///< MSH-16, in enhanced mode.
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
  char severity = 'E';  ///< ERR-4 (Table 0516): E error, W warning, I information.
};

struct AckHeader {
  std::string application = "hemalink";  ///< Used when the original MSH-5 is empty.
  std::string facility;
  std::string control_id;  ///< MSH-10 of the ACK itself.
  std::string timestamp;   ///< MSH-7, YYYYMMDDHHMMSS[.S][+/-ZZZZ].
  /// MSH-15/16 of the reply itself: empty for an ACK (acknowledgements are not acknowledged),
  /// `NE` for an application acknowledgement sent as its own message in enhanced mode.
  std::string accept_type;
  std::string application_type;
};

/// The MSA-1 code for `outcome` in the mode the original asked for.
AckCode ack_code(AckOutcome outcome, bool is_enhanced_mode);
const char* to_string(AckCode code);

/// Builds an ACK (MSH, MSA with MSA-2 = the original MSH-10, and for errors an ERR segment and
/// MSA-3 text) and appends it, CR-terminated, to `out`. ERR uses ERR-2..ERR-8 from v2.5 on and
/// ERR-1 before, according to the original's MSH-12.
void build_ack(const AckContext& original, AckCode code, const std::optional<AckError>& error,
               const AckHeader& header, std::string& out);
/// The same with one ERR segment per error (none: no ERR and no MSA-3).
void build_ack(const AckContext& original, AckCode code, std::span<const AckError> errors,
               const AckHeader& header, std::string& out);

/// Starts a reply to `original` in `w`: MSH addressed back to its sender, of `message_type`
/// (encoded, `ORL^O22^ORL_O22`), with the header's MSH-7, MSH-10, MSH-15 and MSH-16 and the
/// original's processing ID and version.
void write_reply_header(const AckContext& original, std::string_view message_type,
                        const AckHeader& header, V2Writer& w);
/// MSA (MSA-3 the first error's text, for pre-2.5 readers) and one ERR per error.
void write_acknowledgement(const AckContext& original, AckCode code,
                           std::span<const AckError> errors, V2Writer& w);

}  // namespace hemalink::hl7
