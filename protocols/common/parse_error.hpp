#pragma once

#include <cstddef>
#include <string>
#include <system_error>
#include <utility>

#include "protocols/common/error.hpp"

namespace hemalink {

/// An expected failure of a codec on untrusted input: what went wrong (a codec's Errc) and where.
/// `byte_offset` counts from the start of the buffer the codec was given; `detail` names the
/// record or segment, the field and the offending text, so an integration engineer can find it.
/// An Error with its offset: `ParseError{code, detail, offset}`.
struct ParseError : Error {
  ParseError() = default;
  ParseError(std::error_code code, std::string detail, std::size_t offset = 0)
      : Error{code, std::move(detail)}, byte_offset(offset) {}

  std::size_t byte_offset = 0;

  /// One line for logs and stderr: "<detail> (byte <offset>: <code message>)".
  std::string describe() const;
};

}  // namespace hemalink
