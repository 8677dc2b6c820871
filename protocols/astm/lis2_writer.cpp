#include "protocols/astm/lis2_writer.hpp"

namespace hemalink::astm {

Lis2Writer& Lis2Writer::header() {
  record('H');
  out_.push_back(delimiters_.field);
  out_.push_back(delimiters_.repeat);
  out_.push_back(delimiters_.component);
  out_.push_back(delimiters_.escape);
  return *this;
}

Lis2Writer& Lis2Writer::record(char type) {
  finish();
  out_.push_back(type);
  is_record_open_ = true;
  return *this;
}

Lis2Writer& Lis2Writer::field(std::string_view value) {
  out_.push_back(delimiters_.field);
  escape_into(value, delimiters_, out_);
  return *this;
}

Lis2Writer& Lis2Writer::components(std::initializer_list<std::string_view> values) {
  out_.push_back(delimiters_.field);
  bool first = true;
  for (auto value : values) {
    if (!first) {
      out_.push_back(delimiters_.component);
    }
    first = false;
    escape_into(value, delimiters_, out_);
  }
  return *this;
}

Lis2Writer& Lis2Writer::raw(std::string_view encoded) {
  out_.push_back(delimiters_.field);
  out_.append(encoded);
  return *this;
}

void Lis2Writer::finish() {
  if (is_record_open_) {
    out_.push_back('\r');
    is_record_open_ = false;
  }
}

void write_record(const Lis2Record& record, const Delimiters& delimiters, std::string& out) {
  for (std::size_t i = 0; i < record.field_count(); ++i) {
    if (i > 0) {
      out.push_back(delimiters.field);
    }
    out.append(record.field(i));
  }
  out.push_back('\r');
}

}  // namespace hemalink::astm
