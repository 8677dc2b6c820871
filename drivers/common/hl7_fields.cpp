#include "drivers/common/hl7_fields.hpp"

#include "protocols/common/split.hpp"
#include "protocols/common/text.hpp"
#include "protocols/hl7/v2_escape.hpp"

namespace hemalink::drivers {

std::string Hl7Fields::text(std::string_view raw) const {
  raw = trim(raw);
  if (raw.find(message_.encoding().escape) == std::string_view::npos) {
    return to_utf8(raw, charset_);  // the common case: nothing to unescape, one copy
  }
  return std::string(trim(to_utf8(hl7::unescape(raw, message_.encoding()), charset_)));
}

std::string Hl7Fields::component(const hl7::V2Segment& s, std::size_t f, std::size_t c,
                                 std::size_t repetition) const {
  const auto& e = message_.encoding();
  return text(nth_part(nth_part(s.field(f), e.repetition, repetition), e.component, c));
}

std::string Hl7Fields::subcomponent(const hl7::V2Segment& s, std::size_t f, std::size_t c,
                                    std::size_t sub) const {
  const auto& e = message_.encoding();
  return text(nth_part(nth_part(nth_part(s.field(f), e.repetition, 1), e.component, c),
                       e.subcomponent, sub));
}

std::vector<std::string> Hl7Fields::repeats(const hl7::V2Segment& s, std::size_t f) const {
  std::vector<std::string> out;
  const auto raw = s.field(f);
  for (std::size_t i = 1; i <= count_parts(raw, message_.encoding().repetition); ++i) {
    auto value = text(nth_part(raw, message_.encoding().repetition, i));
    if (!value.empty()) {
      out.push_back(std::move(value));
    }
  }
  return out;
}

std::string not_null(std::string value) {
  return value == "\"\"" ? std::string() : value;
}

}  // namespace hemalink::drivers
