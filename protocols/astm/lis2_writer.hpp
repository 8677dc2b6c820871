#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "protocols/astm/lis2_records.hpp"

namespace hemalink::astm {

/// Writes LIS02-A2 (ASTM E1394) records into a caller-provided string, each terminated by CR
/// (LIS02-A2 6.3). Values given to field()/components() are escaped; raw() writes text that is
/// already encoded (a field copied from a parsed record, for echoing in a query reply).
///
///   Lis2Writer w(out);
///   w.header().field("").field("").field("hemalink");   // H|\^&|||hemalink
///   w.record('L').field("1").field("N");                 // L|1|N
///   w.finish();
class Lis2Writer {
 public:
  explicit Lis2Writer(std::string& out, Delimiters delimiters = {})
      : out_(out), delimiters_(delimiters) {}

  /// Starts the H record with its delimiter definition (fields 0 and 1).
  Lis2Writer& header();
  /// Terminates the open record, if any, and starts a record of `type`.
  Lis2Writer& record(char type);
  /// Appends a field holding `value`, escaping delimiter characters.
  Lis2Writer& field(std::string_view value);
  /// Appends a field of components, each escaped, joined by the component delimiter.
  Lis2Writer& components(std::initializer_list<std::string_view> values);
  /// Appends a field written as given (already escaped and delimited).
  Lis2Writer& raw(std::string_view encoded);
  /// Terminates the open record with CR. Safe to call when no record is open.
  void finish();

 private:
  std::string& out_;
  Delimiters delimiters_;
  bool is_record_open_ = false;
};

/// Writes `record` back field by field, as parsed (escapes kept), followed by CR. Round-trips:
/// parsing the output gives the same fields.
void write_record(const Lis2Record& record, const Delimiters& delimiters, std::string& out);

}  // namespace hemalink::astm
