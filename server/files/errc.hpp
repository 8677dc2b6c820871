#pragma once

#include <system_error>

namespace hemalink::files {

/// How one of the lab's files is wrong.
enum class Errc {
  /// The file cannot be read (missing, no permission).
  Unreadable = 1,
  /// The text is not JSON.
  NotJson,
  /// A required key is absent (or a required text is empty).
  Missing,
  /// A value of the wrong JSON type (a string where a number belongs).
  WrongType,
  /// A value of the right type that hemalink cannot use: out of range, not one of the choices,
  /// or at odds with another key.
  BadValue,
  /// A key no reader knows: usually a misspelt option.
  Unknown,
};

std::error_code make_error_code(Errc e);

}  // namespace hemalink::files

template <>
struct std::is_error_code_enum<hemalink::files::Errc> : std::true_type {};
