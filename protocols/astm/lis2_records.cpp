#include "protocols/astm/lis2_records.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cstring>

#include "protocols/astm/errc.hpp"
#include "protocols/common/line_ends.hpp"
#include "protocols/common/split.hpp"

namespace hemalink::astm {
namespace {

bool is_record_type(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

ParseError record_error(Errc code, std::size_t record_number, std::size_t offset,
                        std::string_view what) {
  return {make_error_code(code), fmt::format("record {}: {}", record_number, what), offset};
}

}  // namespace

char Lis2Record::type() const {
  return field(0).empty() ? '\0' : field(0).front();
}

std::size_t Lis2Record::field_count() const {
  return message_->records_[index_].field_count;
}

std::string_view Lis2Record::field(std::size_t i) const {
  const auto& ref = message_->records_[index_];
  if (i >= ref.field_count) {
    return {};
  }
  return message_->fields_[ref.first_field + i].in(message_->text_);
}

std::string_view Lis2Record::raw() const {
  const auto& ref = message_->records_[index_];
  return std::string_view(message_->text_).substr(ref.offset, ref.length);
}

std::size_t Lis2Record::offset() const {
  return message_->records_[index_].offset;
}

bool Lis2Message::is_terminated() const {
  return !records_.empty() && record(records_.size() - 1).type() == 'L';
}

Result<Delimiters> read_delimiters(std::string_view header, const Lis2Leniency& leniency) {
  auto fail = [&](std::string_view why) -> Result<Delimiters> {
    return ParseError{make_error_code(Errc::MalformedHeader), fmt::format("record 1 (H): {}", why),
                      0};
  };
  if (header.size() < 2 || header[0] != 'H') {
    return fail("the message does not start with an H record");
  }
  Delimiters d;
  d.field = header[1];
  std::string_view definition = header.substr(2);
  definition = definition.substr(0, definition.find(d.field));
  if (definition.size() == 4 && leniency.accept_doubled_repeat_delimiter &&
      definition[0] == definition[1]) {
    definition.remove_prefix(1);
  }
  if (definition.size() != 3) {
    return fail(
        fmt::format("field 1 must hold the repeat, component and escape delimiters, "
                    "found {} characters",
                    definition.size()));
  }
  d.repeat = definition[0];
  d.component = definition[1];
  d.escape = definition[2];
  const char all[] = {d.field, d.repeat, d.component, d.escape};
  for (int i = 0; i < 4; ++i) {
    const auto c = static_cast<unsigned char>(all[i]);
    if (std::isalnum(c) || c < ' ' || c == 0x7F) {
      return fail(fmt::format("delimiter {:?} is a letter, digit or control character", all[i]));
    }
    for (int j = i + 1; j < 4; ++j) {
      if (all[i] == all[j]) {
        return fail(fmt::format("delimiter {:?} is declared twice", all[i]));
      }
    }
  }
  return d;
}

Result<Lis2Message> Lis2Message::parse(std::string text, const Lis2Limits& limits,
                                       const Lis2Leniency& leniency) {
  if (text.size() > limits.max_message_bytes || text.size() > UINT32_MAX) {
    return ParseError{make_error_code(Errc::MessageTooLarge),
                      fmt::format("message of {} bytes exceeds the limit of {}", text.size(),
                                  limits.max_message_bytes),
                      limits.max_message_bytes};
  }
  Lis2Message message;
  message.text_ = std::move(text);
  const std::string_view all(message.text_);
  const char* const base = all.data();
  const char* const end = base + all.size();

  const char* p = base;
  LineEnds line_ends(end);
  message.records_.reserve(std::min<std::size_t>(all.size() / 40 + 1, 1024));
  message.fields_.reserve(std::min<std::size_t>(all.size() / 6 + 1, 8192));
  while (p < end) {
    // A record ends at the first CR or LF; empty records (CR LF, blank lines) are skipped.
    const char* record_end = line_ends.next(p);
    if (record_end == p) {
      ++p;
      continue;
    }
    const std::size_t number = message.records_.size() + 1;
    const auto offset = static_cast<std::size_t>(p - base);
    std::string_view raw(p, static_cast<std::size_t>(record_end - p));
    if (message.records_.empty()) {
      auto delimiters = read_delimiters(raw, leniency);
      if (!delimiters) {
        return delimiters.error();
      }
      message.delimiters_ = *delimiters;
    } else if (!is_record_type(raw[0]) || (raw.size() > 1 && raw[1] != message.delimiters_.field)) {
      // Field 0 as found (`2P`: a frame number written into the record), at most 16 bytes.
      const auto type =
          raw.substr(0, std::min<std::size_t>(raw.find(message.delimiters_.field), 16));
      return record_error(Errc::MalformedRecord, number, offset,
                          fmt::format("expected a record type letter, found {:?}", type));
    }
    if (message.records_.size() >= limits.max_records) {
      return record_error(Errc::TooManyRecords, number, offset,
                          fmt::format("more than {} records", limits.max_records));
    }
    RecordRef ref{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(raw.size()),
                  static_cast<std::uint32_t>(message.fields_.size()), 0};
    const char sep = message.delimiters_.field;
    const char* field_start = p;
    for (const char* q = p; q < record_end; ++q) {
      if (*q == sep) {
        message.fields_.push_back({static_cast<std::uint32_t>(field_start - base),
                                   static_cast<std::uint32_t>(q - field_start)});
        field_start = q + 1;
      }
    }
    message.fields_.push_back({static_cast<std::uint32_t>(field_start - base),
                               static_cast<std::uint32_t>(record_end - field_start)});
    ref.field_count = static_cast<std::uint32_t>(message.fields_.size()) - ref.first_field;
    message.records_.push_back(ref);
    p = record_end;
  }
  if (message.records_.empty()) {
    return ParseError{make_error_code(Errc::MalformedHeader), "record 1: the message is empty", 0};
  }
  return message;
}

std::string_view component(std::string_view field, char delimiter, std::size_t n) {
  return nth_part(field, delimiter, n);
}

std::size_t part_count(std::string_view field, char delimiter) {
  return count_parts(field, delimiter);
}

std::string unescape(std::string_view value, const Delimiters& d) {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == d.escape && i + 2 < value.size() && value[i + 2] == d.escape) {
      char replacement = '\0';
      switch (value[i + 1]) {
        case 'F':
          replacement = d.field;
          break;
        case 'S':
          replacement = d.component;
          break;
        case 'R':
          replacement = d.repeat;
          break;
        case 'E':
          replacement = d.escape;
          break;
        default:
          break;
      }
      if (replacement != '\0') {
        out.push_back(replacement);
        i += 3;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string text_of(std::string_view raw, const Delimiters& delimiters, Charset charset) {
  if (raw.find(delimiters.escape) == std::string_view::npos) {
    return to_utf8(raw, charset);  // the common case: nothing to unescape, one copy
  }
  return to_utf8(unescape(raw, delimiters), charset);
}

void escape_into(std::string_view value, const Delimiters& d, std::string& out) {
  for (char c : value) {
    char code = c == d.field       ? 'F'
                : c == d.component ? 'S'
                : c == d.repeat    ? 'R'
                : c == d.escape    ? 'E'
                                   : '\0';
    if (code == '\0') {
      out.push_back(c);
    } else {
      out.push_back(d.escape);
      out.push_back(code);
      out.push_back(d.escape);
    }
  }
}

}  // namespace hemalink::astm
