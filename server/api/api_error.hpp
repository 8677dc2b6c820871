#pragma once

#include <string>
#include <system_error>

#include "protocols/common/error.hpp"
#include "server/api/api_call.hpp"

namespace hemalink::api {

/// How a call fails, as the client is told: each code has one HTTP status and one problem code
/// (api_error.cpp's table).
enum class Errc {
  BadRequest = 1,    ///< 400 bad_request: a parameter or body the client got wrong, named.
  Unauthorized,      ///< 401 unauthorized: no token, or not one configured.
  Forbidden,         ///< 403 forbidden: the token's role is too low.
  NotFound,          ///< 404 not_found: no such resource or row.
  MethodNotAllowed,  ///< 405 method_not_allowed.
  Conflict,          ///< 409 conflict: the state does not allow the action (result not held).
  NoRules,           ///< 409 no_rules: no rule set is in force.
  PayloadTooLarge,   ///< 413 payload_too_large.
  UriTooLong,        ///< 414 uri_too_long.
  RulesInvalid,      ///< 422 rules_invalid: the rules read again have errors.
  PromotionRefused,  ///< 422 promotion_refused: the backtest does not let the version go live.
  BacktestInvalid,   ///< 422 backtest_invalid: a backtest's field names what cannot be replayed.
  UpgradeRequired,   ///< 426 upgrade_required: a WebSocket asked for over plain HTTP.
  HeaderTooLarge,    ///< 431 header_too_large.
  Internal,          ///< 500 internal: a bug or a database refusing us (logged, not shown).
  Unavailable,       ///< 503 database_unavailable: the database cannot answer now.
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

/// The error the client is told of for `error`: an api::Errc as it is; a store error by its
/// code (Retryable: Unavailable; BadValue: BadRequest, its first line, which names the value;
/// anything else: Internal); a rule set version's refusal by why (no such version: NotFound; a
/// move the lifecycle refuses: Conflict; the backtest's evidence: PromotionRefused).
Error api_error_of(const Error& error);

/// The HTTP status of `code` (an api::Errc; anything else 500).
int status_of(std::error_code code);

/// The response for `error` (api_error_of first): its status and {"error": {"code", "message"}}.
/// An Internal error's detail is not shown: the message names `request_id`, whose log line says
/// why (the caller logs it).
ApiResponse error_response(const Error& error, const std::string& request_id = "");

}  // namespace hemalink::api

template <>
struct std::is_error_code_enum<hemalink::api::Errc> : std::true_type {};
