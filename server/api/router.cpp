#include "server/api/router.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "protocols/common/hex.hpp"
#include "server/api/api_error.hpp"

namespace hemalink::api {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    const auto slash = path.find('/', at);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool is_placeholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The decoded {names} of `path` when it matches `pattern`; malformed escapes do not match.
std::optional<std::map<std::string, std::string, std::less<>>> match(std::string_view pattern,
                                                                     std::string_view path) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size())
    return std::nullopt;
  std::map<std::string, std::string, std::less<>> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (is_placeholder(want[i])) {
      auto value = percent_decoded(have[i], false);
      if (!value || value->empty())
        return std::nullopt;
      params.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::move(*value));
    } else if (want[i] != have[i]) {
      return std::nullopt;
    }
  }
  return params;
}

// An expected failure as its code says; an internal one logged with the request ID.
ApiResponse failed(const Route& route, const ApiRequest& request, const Error& error) {
  const auto e = api_error_of(error);
  if (status_of(e.code) == 500) {
    spdlog::error("api: request {} ({} {}) failed: {}", request.request_id, route.method,
                  route.pattern, e.detail);
  }
  return error_response(e, request.request_id);
}

}  // namespace

const std::string& RouteCall::param(std::string_view name) const {
  return params.find(name)->second;
}

std::optional<std::string> RouteCall::query(std::string_view name) const {
  const auto it = request.query.find(name);
  if (it == request.query.end())
    return std::nullopt;
  return it->second;
}

std::string RouteCall::actor() const {
  return user ? "user:" + user->name : "system:api";
}

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

ApiResponse Router::answer(const ApiRequest& request) const {
  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    auto params = match(route.pattern, request.path);
    if (!params)
      continue;
    if (route.method == request.method) {
      auto r = call(route, request, std::move(*params));
      r.route = route.pattern;
      return r;
    }
    allowed.push_back(route.method);
  }
  if (allowed.empty())
    return error_response({Errc::NotFound, fmt::format("no such resource: {}", request.path)});
  auto r = error_response(
      {Errc::MethodNotAllowed, fmt::format("{} is not allowed here; allowed: {}", request.method,
                                           fmt::join(allowed, ", "))});
  r.headers.emplace_back("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
  return r;
}

ApiResponse Router::call(const Route& route, const ApiRequest& request,
                         std::map<std::string, std::string, std::less<>> params) const {
  std::optional<ApiUser> user;
  if (route.role) {
    auto authorized = authorize(request, *route.role);
    if (!authorized)
      return refusal(authorized.error());
    user = std::move(*authorized);
  }
  for (const auto& [key, value] : request.query) {
    if (std::find(route.query_keys.begin(), route.query_keys.end(), key) ==
        route.query_keys.end()) {
      return error_response(
          {Errc::BadRequest,
           route.query_keys.empty()
               ? fmt::format("unknown query parameter \"{}\": this takes none", key)
               : fmt::format("unknown query parameter \"{}\"; known: {}", key,
                             fmt::join(route.query_keys, ", "))});
    }
  }
  try {
    auto answer = route.handler(RouteCall{request, user ? &*user : nullptr, std::move(params)});
    if (!answer)
      return failed(route, request, answer.error());
    return std::move(answer).value();
  } catch (const std::exception& e) {
    return failed(route, request, {Errc::Internal, e.what()});
  }
}

Result<ApiUser, Error> Router::authorize(const ApiRequest& request, config::ApiRole role) const {
  const auto token = bearer_token(request.authorization);
  std::optional<ApiUser> user;
  if (token)
    user = tokens_.find(*token);
  if (!user) {
    return Error{Errc::Unauthorized, token ? "the bearer token is not one configured in api.tokens"
                                           : "this needs an Authorization: Bearer TOKEN header"};
  }
  if (user->role < role) {
    return Error{Errc::Forbidden,
                 fmt::format("{} {} needs the {} role; {} is a {}", request.method, request.path,
                             config::to_string(role), user->name, config::to_string(user->role))};
  }
  return *user;
}

ApiResponse refusal(const Error& error) {
  auto r = error_response(error);
  if (error.code == Errc::Unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hemalink\"");
  return r;
}

std::optional<std::string> percent_decoded(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const auto byte = hex_decode(text.substr(i + 1, 2));
      if (!byte || byte->size() != 1)
        return std::nullopt;
      out += *byte;
      i += 2;
    } else if (text[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

Result<std::map<std::string, std::string, std::less<>>, Error> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  std::size_t at = 0;
  while (at < query.size()) {
    const auto amp = query.find('&', at);
    const auto pair = query.substr(at, amp == std::string_view::npos ? query.npos : amp - at);
    at = amp == std::string_view::npos ? query.size() : amp + 1;
    if (pair.empty())
      continue;
    const auto eq = pair.find('=');
    auto key = percent_decoded(pair.substr(0, eq), true);
    auto value = percent_decoded(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) {
      return Error{
          Errc::BadRequest,
          fmt::format("the query parameter \"{}\" has a malformed %-escape", pair.substr(0, eq))};
    }
    out[*key] = std::move(*value);
  }
  return out;
}

}  // namespace hemalink::api
