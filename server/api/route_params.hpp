#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/api/api_error.hpp"
#include "server/api/router.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::api {

// Reading what a call sends; each failure is an Error(BadRequest) naming the parameter or JSON
// path.

/// `limit`: 1..max, `fallback` when absent.
Result<std::size_t, Error> limit_param(const RouteCall& call, std::size_t fallback,
                                       std::size_t max);
/// An ISO 8601 date or date-time query parameter (2026-11-28, 2026-11-28T10:15:00Z; UTC without a
/// zone) as the UTC instant it names, for PostgreSQL: 2026-11-28T10:15:00.000000Z. One that names
/// none (2026-02-30, 24:61) is refused too.
Result<std::optional<std::string>, Error> time_param(const RouteCall& call, std::string_view name);
/// One of `choices`, when given.
Result<std::optional<std::string>, Error> choice_param(
    const RouteCall& call, std::string_view name, std::initializer_list<std::string_view> choices);
/// A path {name} that must be a positive integer ID (404 when it is not: no such resource).
Result<long long, Error> id_param(const RouteCall& call, std::string_view name);

/// The body as a JSON object, read by `read` with every field's path checked (unknown keys,
/// wrong types, missing required ones are 400 with each path named).
Result<void, Error> read_json_body(const RouteCall& call,
                                   const std::function<void(files::JsonFields&)>& read);

/// The document a store read found, or 404 with `absent` as the message.
Result<std::string, Error> found(std::optional<std::string> document, const std::string& absent);

/// A room's result with its error as the client sees it (api_error_of): 503 when the database
/// cannot be reached now (try again), 400 when it could not read a value the call gave, else a
/// 500 (logged).
template <typename T>
Result<T, Error> stored(Result<T, Error> result) {
  if (!result)
    return api_error_of(result.error());
  return result;
}

}  // namespace hemalink::api

/// HL_TRY(name, expr): `auto name` is the value of `expr` (a Result<T, Error>); when it holds an
/// error instead, the enclosing function (a route handler or helper returning a Result) returns
/// that error. For the routes' chains of parameter and store reads.
#define HL_TRY(name, expr)          \
  auto name##_or_error = (expr);    \
  if (!name##_or_error)             \
    return name##_or_error.error(); \
  auto name = std::move(*name##_or_error)
