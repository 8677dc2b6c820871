#pragma once

#include <system_error>

namespace hemalink::orders {

/// Why hemalink refuses what a LIS's order message asks (the message is kept, rejected, and the
/// LIS is told why).
enum class Errc {
  /// A cancellation of an order hemalink does not have.
  NoSuchOrder = 1,
};

std::error_code make_error_code(Errc e);

}  // namespace hemalink::orders

template <>
struct std::is_error_code_enum<hemalink::orders::Errc> : std::true_type {};
