#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/bytes.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::astm {

/// The four delimiters of LIS02-A2 6.4, declared by the H record: `H|\^&` gives field `|`,
/// repeat `\`, component `^` and escape `&`.
struct Delimiters {
  char field = '|';
  char repeat = '\\';
  char component = '^';
  char escape = '&';
};

/// Bounds for one message. Mandatory: a codec never grows without bound on untrusted input.
struct Lis2Limits {
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::size_t max_records = 20000;
};

/// Named leniencies of the record layer (each off by default).
struct Lis2Leniency {
  /// Reads `H|\\^&` (repeat delimiter written twice) as `H|\^&`. Seen in a Horiba Yumizen H550
  /// capture whose publisher escaped every backslash; risk: none for well-formed headers, since a
  /// doubled delimiter is otherwise meaningless.
  bool accept_doubled_repeat_delimiter = false;
};

class Lis2Message;

/// One record of a parsed message: a view, valid while its Lis2Message lives.
class Lis2Record {
 public:
  Lis2Record(const Lis2Message& message, std::size_t index) : message_(&message), index_(index) {}

  /// The record type: H P O R C Q M S L (or a manufacturer's own letter).
  char type() const;
  /// Number of fields including field 0, the record type.
  std::size_t field_count() const;
  /// Field `i` as on the wire, escapes kept; field 0 is the record type and, for the H record,
  /// field 1 is the delimiter definition (`\^&`). Fields past the end are empty.
  std::string_view field(std::size_t i) const;
  /// The whole record without its terminator.
  std::string_view raw() const;
  /// Byte offset of the record in the message text.
  std::size_t offset() const;
  /// 1-based position of the record in the message (as error messages name it).
  std::size_t number() const { return index_ + 1; }

 private:
  const Lis2Message* message_;
  std::size_t index_;
};

/// A complete LIS02-A2 (ASTM E1394) message: H ... L records, each terminated by CR (LF or CR LF
/// tolerated, as analyzers and captures really send). Owns its text; records and fields are
/// offsets into it, so moving the message keeps every view valid.
class Lis2Message {
 public:
  /// Parses `text` (records of one message, starting with the H record). Fails with Errc::
  /// MalformedHeader, MalformedRecord, MessageTooLarge or TooManyRecords, naming the record
  /// number and byte offset. A message without an L record parses; is_terminated() says so.
  static Result<Lis2Message> parse(std::string text, const Lis2Limits& limits = {},
                                   const Lis2Leniency& leniency = {});

  const std::string& text() const { return text_; }
  const Delimiters& delimiters() const { return delimiters_; }
  std::size_t record_count() const { return records_.size(); }
  Lis2Record record(std::size_t i) const { return {*this, i}; }
  /// True when the last record is the terminator (L).
  bool is_terminated() const;

 private:
  friend class Lis2Record;
  struct RecordRef {
    std::uint32_t offset;
    std::uint32_t length;
    std::uint32_t first_field;
    std::uint32_t field_count;
  };

  std::string text_;
  Delimiters delimiters_;
  std::vector<RecordRef> records_;
  std::vector<TextSpan> fields_;
};

/// Reads the delimiters from an H record (`H|\^&...`). Fails with Errc::MalformedHeader when the
/// record does not start with H, a field delimiter and three distinct delimiter characters.
Result<Delimiters> read_delimiters(std::string_view header_record, const Lis2Leniency& leniency);

/// Component `n` (1-based) of `field` split on `delimiter`; empty when absent.
std::string_view component(std::string_view field, char delimiter, std::size_t n);

/// Number of parts of `field` split on `delimiter` (an empty field has one empty part).
std::size_t part_count(std::string_view field, char delimiter);

/// Decodes LIS02-A2 escape sequences (&F& &S& &R& &E&) to the delimiter characters they stand
/// for. Unknown sequences and an unpaired escape character are kept as written.
std::string unescape(std::string_view value, const Delimiters& delimiters);

/// A raw field (or component) as text: escapes resolved and converted to UTF-8 from the
/// analyzer's configured character set (LIS02-A2 has no in-band declaration; Latin-1 is usual).
std::string text_of(std::string_view raw, const Delimiters& delimiters,
                    Charset charset = Charset::Latin1);

/// Writes `value` with each delimiter character replaced by its escape sequence.
void escape_into(std::string_view value, const Delimiters& delimiters, std::string& out);

}  // namespace hemalink::astm
