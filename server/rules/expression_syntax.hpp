#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/files/text_position.hpp"
#include "server/rules/errc.hpp"

namespace hemalink::rules {

/// Where in a rule's `when` text something is: 1-based line and column.
using files::TextPosition;

/// A rule expression that cannot be used: an Error (a rules::Errc and what is wrong) and where
/// in the expression's text: `ExpressionError{Errc::Syntax, "...", at}`.
struct ExpressionError : Error {
  ExpressionError() = default;
  ExpressionError(std::error_code code, std::string detail, TextPosition position)
      : Error{code, std::move(detail)}, at(position) {}

  TextPosition at;
};

/// The parsed form of a `when` expression, before names are resolved and types checked.
struct SyntaxNode {
  enum class Kind {
    Number,    ///< 6.5
    String,    ///< "Blasts?"
    Boolean,   ///< true, false
    Duration,  ///< 72h, 7d, 30m: seconds in `number`
    Name,      ///< value, age_years
    Call,      ///< result("HGB"), delta(72h)
    Unary,     ///< not x, -x
    Binary,    ///< x and y, x < y, x + y
  };
  Kind kind = Kind::Number;
  TextPosition at;
  double number = 0;
  std::string text;  ///< The string, the name, the function, or the operator.
  std::vector<SyntaxNode> operands;
};

/// Parses a rule condition. The language: numbers, "strings", true/false, durations (72h, 7d,
/// 30m), names, calls name(args), parentheses, unary `not` and `-`, and binary operators by
/// precedence: `or` < `and` < comparisons (== != < <= > >=) < `+ -` < `* /`. Comparisons do not
/// chain. Fails at the first error, naming line and column.
Result<SyntaxNode, ExpressionError> parse_expression(std::string_view text);

}  // namespace hemalink::rules
