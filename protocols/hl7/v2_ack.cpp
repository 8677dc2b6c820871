#include "protocols/hl7/v2_ack.hpp"

#include <fmt/format.h>

#include "protocols/common/split.hpp"
#include "protocols/hl7/v2_escape.hpp"
#include "protocols/hl7/v2_writer.hpp"

namespace hemalink::hl7 {
namespace {

// Versions before 2.5 carry the error in ERR-1 (ELD); 2.5 and later in ERR-2..ERR-8.
bool has_structured_err(std::string_view version) {
  auto major_minor = version.substr(0, version.find('.', version.find('.') + 1));
  return !(major_minor == "2.1" || major_minor == "2.2" || major_minor == "2.3" ||
           major_minor == "2.4");
}

// A field of the original, written in the ACK's encoding.
std::string echo(std::string_view raw, const AckContext& original, const Encoding& ack) {
  std::string out;
  reencode_into(raw, original.encoding, ack, out);
  return out;
}

}  // namespace

AckContext AckContext::from(const V2Message& message) {
  AckContext c;
  c.encoding = message.encoding();
  auto msh = message.find("MSH");
  if (!msh) {
    return c;
  }
  c.sending_application = msh->field(3);
  c.sending_facility = msh->field(4);
  c.receiving_application = msh->field(5);
  c.receiving_facility = msh->field(6);
  c.message_code = nth_part(msh->field(9), c.encoding.component, 1);
  c.trigger_event = nth_part(msh->field(9), c.encoding.component, 2);
  c.control_id = msh->field(10);
  c.processing_id = msh->field(11);
  c.version = nth_part(msh->field(12), c.encoding.component, 1);
  c.is_enhanced_mode = !msh->field(15).empty() || !msh->field(16).empty();
  c.accept = ack_condition(msh->field(15));
  c.application = ack_condition(msh->field(16));
  return c;
}

AckContext AckContext::from_raw(std::string_view raw) {
  AckContext c;
  auto start = raw.find("MSH");
  if (start == std::string_view::npos || raw.size() < start + 8) {
    return c;
  }
  raw = raw.substr(start);
  raw = raw.substr(0, raw.find_first_of("\r\n"));
  if (auto encoding = read_encoding(raw)) {
    c.encoding = *encoding;
  } else {
    c.encoding.field = raw[3];
  }
  // Field i of MSH is part i of the segment split on the separator (MSH-1 being the separator).
  auto msh = [&](std::size_t i) { return std::string(nth_part(raw, c.encoding.field, i)); };
  c.sending_application = msh(3);
  c.sending_facility = msh(4);
  c.receiving_application = msh(5);
  c.receiving_facility = msh(6);
  c.message_code = nth_part(msh(9), c.encoding.component, 1);
  c.trigger_event = nth_part(msh(9), c.encoding.component, 2);
  c.control_id = msh(10);
  c.processing_id = msh(11);
  c.version = nth_part(msh(12), c.encoding.component, 1);
  c.is_enhanced_mode = !msh(15).empty() || !msh(16).empty();
  c.accept = ack_condition(msh(15));
  c.application = ack_condition(msh(16));
  return c;
}

AckCode ack_code(AckOutcome outcome, bool is_enhanced_mode) {
  switch (outcome) {
    case AckOutcome::Accepted:
      return is_enhanced_mode ? AckCode::CA : AckCode::AA;
    case AckOutcome::Error:
      return is_enhanced_mode ? AckCode::CE : AckCode::AE;
    case AckOutcome::Rejected:
      return is_enhanced_mode ? AckCode::CR : AckCode::AR;
  }
  return AckCode::AR;
}

const char* to_string(AckCode code) {
  switch (code) {
    case AckCode::AA:
      return "AA";
    case AckCode::AE:
      return "AE";
    case AckCode::AR:
      return "AR";
    case AckCode::CA:
      return "CA";
    case AckCode::CE:
      return "CE";
    case AckCode::CR:
      return "CR";
  }
  return "AR";
}

AckCondition ack_condition(std::string_view code) {
  if (code.empty() || code == "NE")
    return AckCondition::Never;
  if (code == "ER")
    return AckCondition::OnError;
  if (code == "SU")
    return AckCondition::OnSuccess;
  return AckCondition::Always;
}

bool is_wanted(AckCondition condition, AckOutcome outcome) {
  switch (condition) {
    case AckCondition::Always:
      return true;
    case AckCondition::Never:
      return false;
    case AckCondition::OnError:
      return outcome != AckOutcome::Accepted;
    case AckCondition::OnSuccess:
      return outcome == AckOutcome::Accepted;
  }
  return true;
}

void write_reply_header(const AckContext& original, std::string_view message_type,
                        const AckHeader& header, V2Writer& w) {
  const Encoding e;  // replies are written with the default delimiters
  w.msh();
  if (original.receiving_application.empty()) {
    w.field(header.application);
  } else {
    w.raw(echo(original.receiving_application, original, e));
  }
  if (original.receiving_facility.empty()) {
    w.field(header.facility);
  } else {
    w.raw(echo(original.receiving_facility, original, e));
  }
  w.raw(echo(original.sending_application, original, e));
  w.raw(echo(original.sending_facility, original, e));
  w.field(header.timestamp);
  w.field("");
  w.raw(message_type);
  w.field(header.control_id);
  w.raw(original.processing_id.empty() ? "P" : echo(original.processing_id, original, e));
  w.field(original.version.empty() ? "2.5.1" : original.version);
  if (!header.accept_type.empty() || !header.application_type.empty()) {
    w.field("").field("").field(header.accept_type).field(header.application_type);
  }
}

namespace {

void write_err(const AckError& error, std::string_view version, const Encoding& e, V2Writer& w) {
  const std::string sequence = error.segment_sequence ? fmt::to_string(error.segment_sequence) : "";
  const std::string field = error.field ? fmt::to_string(error.field) : "";
  const std::string code_text = fmt::to_string(error.code);
  w.segment("ERR");
  if (has_structured_err(version)) {
    w.field("");                                        // ERR-1 (withdrawn)
    w.components({error.segment_id, sequence, field});  // ERR-2 error location
    w.components({code_text, "", "HL70357"});           // ERR-3 HL7 error code
    w.field(std::string_view(&error.severity, 1));      // ERR-4 severity
    w.field("").field("").field("");                    // ERR-5..7
    w.field(error.message);                             // ERR-8 user message
    return;
  }
  std::string eld;  // ERR-1: segment^sequence^field^code&text&table
  eld.append(error.segment_id).push_back(e.component);
  eld.append(sequence).push_back(e.component);
  eld.append(field).push_back(e.component);
  eld.append(code_text).push_back(e.subcomponent);
  std::string text;
  escape_into(error.message, e, text);
  eld.append(text).push_back(e.subcomponent);
  eld.append("HL70357");
  w.raw(eld);
}

}  // namespace

void write_acknowledgement(const AckContext& original, AckCode code,
                           std::span<const AckError> errors, V2Writer& w) {
  const Encoding e;
  w.segment("MSA").field(to_string(code)).raw(echo(original.control_id, original, e));
  if (errors.empty()) {
    return;
  }
  w.field(errors.front().message.substr(0, 80));  // MSA-3, read by pre-2.5 systems
  const std::string version = original.version.empty() ? "2.5.1" : original.version;
  for (const auto& error : errors) {
    write_err(error, version, e, w);
  }
}

void build_ack(const AckContext& original, AckCode code, std::span<const AckError> errors,
               const AckHeader& header, std::string& out) {
  V2Writer w(out, Encoding{});
  std::string type = "ACK";
  if (!original.trigger_event.empty()) {
    type = "ACK^" + echo(original.trigger_event, original, Encoding{}) + "^ACK";
  }
  write_reply_header(original, type, header, w);
  write_acknowledgement(original, code, errors, w);
  w.finish();
}

void build_ack(const AckContext& original, AckCode code, const std::optional<AckError>& error,
               const AckHeader& header, std::string& out) {
  if (error) {
    build_ack(original, code, std::span<const AckError>(&*error, 1), header, out);
  } else {
    build_ack(original, code, std::span<const AckError>(), header, out);
  }
}

}  // namespace hemalink::hl7
