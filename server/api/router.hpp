#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/api/api_call.hpp"
#include "server/api/api_tokens.hpp"

namespace hemalink::api {

/// What a route is handed: the request, the caller (nullptr on a public route) and the values
/// of its path's {names}, decoded.
struct RouteCall {
  const ApiRequest& request;
  const ApiUser* user;
  std::map<std::string, std::string, std::less<>> params;

  const std::string& param(std::string_view name) const;
  std::optional<std::string> query(std::string_view name) const;
  /// The caller as audit_log names actors: user:NAME.
  std::string actor() const;
};

/// What a route answers: its response, or the expected failure the router answers as its code
/// says (error_response).
using RouteAnswer = Result<ApiResponse, Error>;
using RouteHandler = std::function<RouteAnswer(const RouteCall&)>;

struct Route {
  std::string method;   ///< GET, POST
  std::string pattern;  ///< /api/v1/review/{result_id}/release
  /// Who may call it: nullopt for a public route (health, metrics); else the least role.
  std::optional<config::ApiRole> role;
  std::vector<std::string> query_keys;  ///< Every other query parameter is refused.
  RouteHandler handler;
};

/// Matches a request to its route, checks the token and the role, and answers the Error a route
/// returns as its code says (api_error.hpp); an exception a route throws is a bug, answered as a
/// 500 (logged with the request ID; its text is not shown to the client). Thread-safe once built.
class Router {
 public:
  explicit Router(TokenBook tokens) : tokens_(std::move(tokens)) {}

  void add(Route route);
  ApiResponse answer(const ApiRequest& request) const;
  /// The caller of `request` when its token is configured and its role is at least `role`;
  /// otherwise Unauthorized or Forbidden, saying why.
  Result<ApiUser, Error> authorize(const ApiRequest& request, config::ApiRole role) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  ApiResponse call(const Route& route, const ApiRequest& request,
                   std::map<std::string, std::string, std::less<>> params) const;

  TokenBook tokens_;
  std::vector<Route> routes_;
};

/// The response refusing a call `authorize` refused (401 with WWW-Authenticate, 403).
ApiResponse refusal(const Error& error);

/// `text` with %XX escapes decoded (and '+' read as a space when `plus_is_space`); nullopt
/// for a malformed escape.
std::optional<std::string> percent_decoded(std::string_view text, bool plus_is_space);

/// The parameters of a query string (after '?'); BadRequest naming the one that cannot be
/// decoded.
Result<std::map<std::string, std::string, std::less<>>, Error> parse_query(std::string_view query);

}  // namespace hemalink::api
