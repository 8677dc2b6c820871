#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/charset.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::drivers {

/// Reads segment fields as a driver needs them: escapes resolved, UTF-8 per MSH-18, trimmed.
class Hl7Fields {
 public:
  explicit Hl7Fields(const hl7::V2Message& message)
      : message_(message), charset_(message.charset(Charset::Utf8)) {}

  std::string text(std::string_view raw) const;
  std::string field(const hl7::V2Segment& s, std::size_t f) const { return text(s.field(f)); }
  /// Component `c` (1-based) of repetition `repetition` of field `f`.
  std::string component(const hl7::V2Segment& s, std::size_t f, std::size_t c,
                        std::size_t repetition = 1) const;
  /// Subcomponent `sub` of component `c` of field `f` (first repetition).
  std::string subcomponent(const hl7::V2Segment& s, std::size_t f, std::size_t c,
                           std::size_t sub) const;
  /// The non-empty repetitions of field `f`.
  std::vector<std::string> repeats(const hl7::V2Segment& s, std::size_t f) const;

 private:
  const hl7::V2Message& message_;
  Charset charset_;
};

/// `value`, or empty when it is the HL7 null `""`.
std::string not_null(std::string value);

}  // namespace hemalink::drivers
