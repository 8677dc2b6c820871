#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::hl7 {

/// Writes HL7 v2 segments into a caller-provided string, each terminated by CR (chapter 2.5).
/// field()/components() escape their values; raw() writes already encoded text.
///
///   V2Writer w(out);
///   w.msh().field("hemalink").field("").field("LIS");   // MSH|^~\&|hemalink||LIS
///   w.segment("MSA").field("AA").field("123");           // MSA|AA|123
///   w.finish();
class V2Writer {
 public:
  explicit V2Writer(std::string& out, Encoding encoding = {}) : out_(out), encoding_(encoding) {}

  /// Starts MSH with MSH-1 and MSH-2; the next field() is MSH-3.
  V2Writer& msh();
  /// Terminates the open segment, if any, and starts segment `id`.
  V2Writer& segment(std::string_view id);
  V2Writer& field(std::string_view value);
  /// A field of components, trailing empty ones left out.
  V2Writer& components(std::initializer_list<std::string_view> values);
  V2Writer& raw(std::string_view encoded);
  /// Terminates the open segment with CR.
  void finish();

 private:
  std::string& out_;
  Encoding encoding_;
  bool is_segment_open_ = false;
};

/// Writes `segment` back as parsed (escapes kept) followed by CR; for MSH, fields 1 and 2 are
/// written as the separator and encoding characters. Round-trips through V2Message::parse.
void write_segment(const V2Segment& segment, const Encoding& encoding, std::string& out);

}  // namespace hemalink::hl7
