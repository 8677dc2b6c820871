#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "protocols/common/parse_error.hpp"

namespace hemalink {

/// The value of an operation that can fail for expected reasons, or the error that stopped it
/// (a ParseError for codecs and drivers). A small stand-in for std::expected (C++23), which the
/// Debian 12 toolchain lacks. The value and error types must differ.
template <typename T, typename E = ParseError>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

/// An operation that gives nothing back when it succeeds, or the error that stopped it.
/// Default-constructed it is a success: `return {};`.
template <typename E>
class Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }

  const E& error() const { return *error_; }

 private:
  std::optional<E> error_;
};

}  // namespace hemalink
