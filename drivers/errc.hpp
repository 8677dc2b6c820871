#pragma once

#include <system_error>

namespace hemalink::drivers {

/// Errors of the drivers: a decoded message that cannot be translated to result sets.
enum class Errc {
  /// The driver does not read this kind of input (an HL7 message given to an ASTM driver).
  WrongInput = 1,
  /// A record or segment the driver needs is missing (no O record before an R record).
  MissingRecord,
  /// A field the driver needs is empty or malformed; the message names the record and field.
  MalformedField,
  /// An export file has no header row, or a row with the wrong number of columns.
  MalformedExport,
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

}  // namespace hemalink::drivers

template <>
struct std::is_error_code_enum<hemalink::drivers::Errc> : std::true_type {};
