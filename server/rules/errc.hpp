#pragma once

#include <system_error>

namespace hemalink::rules {

/// How a rule's expression is wrong.
enum class Errc {
  /// Not an expression: a character, number, string or token out of place.
  Syntax = 1,
  /// A name or function the language does not have.
  UnknownName,
  /// A value of the wrong type: text compared with a number, a condition that is not true or
  /// false.
  WrongType,
  /// A function given the wrong number or kind of arguments, or a choice it does not know.
  WrongArguments,
  /// Nested deeper than the parser or the evaluator's stack allows.
  TooDeep,
};

std::error_code make_error_code(Errc e);

}  // namespace hemalink::rules

template <>
struct std::is_error_code_enum<hemalink::rules::Errc> : std::true_type {};
