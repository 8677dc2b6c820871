#include "protocols/hl7/v2_writer.hpp"

#include "protocols/hl7/v2_escape.hpp"

namespace hemalink::hl7 {

V2Writer& V2Writer::msh() {
  segment("MSH");
  out_.push_back(encoding_.field);
  out_.push_back(encoding_.component);
  out_.push_back(encoding_.repetition);
  out_.push_back(encoding_.escape);
  out_.push_back(encoding_.subcomponent);
  if (encoding_.truncation != '\0') {
    out_.push_back(encoding_.truncation);
  }
  return *this;
}

V2Writer& V2Writer::segment(std::string_view id) {
  finish();
  out_.append(id);
  is_segment_open_ = true;
  return *this;
}

V2Writer& V2Writer::field(std::string_view value) {
  out_.push_back(encoding_.field);
  escape_into(value, encoding_, out_);
  return *this;
}

// Trailing empty components are left out (HL7 v2.5.1 2.5.5.3): `SER` rather than `SER^^`.
V2Writer& V2Writer::components(std::initializer_list<std::string_view> values) {
  out_.push_back(encoding_.field);
  std::size_t count = values.size();
  while (count > 0 && values.begin()[count - 1].empty()) {
    --count;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) {
      out_.push_back(encoding_.component);
    }
    escape_into(values.begin()[i], encoding_, out_);
  }
  return *this;
}

V2Writer& V2Writer::raw(std::string_view encoded) {
  out_.push_back(encoding_.field);
  out_.append(encoded);
  return *this;
}

void V2Writer::finish() {
  if (is_segment_open_) {
    out_.push_back('\r');
    is_segment_open_ = false;
  }
}

void write_segment(const V2Segment& segment, const Encoding& encoding, std::string& out) {
  const bool is_header = is_header_segment(segment.id());
  out.append(segment.field(0));
  for (std::size_t i = 1; i < segment.field_count(); ++i) {
    if (is_header && i == 1) {
      continue;  // MSH-1 is the separator written before MSH-2
    }
    out.push_back(encoding.field);
    out.append(segment.field(i));
  }
  out.push_back('\r');
}

}  // namespace hemalink::hl7
