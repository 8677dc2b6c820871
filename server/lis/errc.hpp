#pragma once

#include <system_error>

namespace hemalink::lis {

/// Why a message for the LIS cannot be built from an outbox row (the row is then dead: built
/// again, it would fail the same way).
enum class Errc {
  /// The row names no result: there is nothing to send.
  NoResult = 1,
  /// The mapping converts units, and a value or reference range is not a number to convert.
  Unconvertible,
};

std::error_code make_error_code(Errc e);

}  // namespace hemalink::lis

template <>
struct std::is_error_code_enum<hemalink::lis::Errc> : std::true_type {};
