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

/// Why a rule set version cannot be stored or change status (rules::RuleSetVersions).
enum class VersionErrc {
  /// No version of that id or version string.
  NoSuchVersion = 1,
  /// The move is not one of the lifecycle's (retired is final; a live set is retired only by
  /// another going live).
  MoveNotAllowed,
  /// Another version is in shadow already: at most one is.
  ShadowTaken,
  /// Promotion to live without a backtest, or with one that does not exist.
  NoBacktest,
  /// The backtest is still running, or failed.
  BacktestNotDone,
  /// The backtest replayed another version.
  BacktestOfAnotherVersion,
  /// The backtest found would-be false negatives and no override comment was given.
  FalseNegativesUnexplained,
  /// The backtest replayed no result (an empty period, an idle analyzer): no evidence.
  EmptyBacktest,
  /// A version string already stored with other content.
  VersionClash,
};

std::error_code make_error_code(VersionErrc e);

}  // namespace hemalink::rules

template <>
struct std::is_error_code_enum<hemalink::rules::Errc> : std::true_type {};
template <>
struct std::is_error_code_enum<hemalink::rules::VersionErrc> : std::true_type {};
