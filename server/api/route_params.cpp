#include "server/api/route_params.hpp"

#include <fmt/format.h>

#include <charconv>
#include <regex>

#include "server/files/json_fields.hpp"

namespace hemalink::api {
namespace {

std::optional<long long> integer_in(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end || text.empty())
    return std::nullopt;
  return value;
}

}  // namespace

std::size_t limit_param(const RouteCall& call, std::size_t fallback, std::size_t max) {
  const auto text = call.query("limit");
  if (!text)
    return fallback;
  const auto value = integer_in(*text);
  if (!value || *value < 1 || static_cast<std::size_t>(*value) > max) {
    throw ClientError(400, "bad_request",
                      fmt::format("limit: expected an integer 1-{}, got \"{}\"", max, *text));
  }
  return static_cast<std::size_t>(*value);
}

std::optional<std::string> time_param(const RouteCall& call, std::string_view name) {
  static const std::regex kIso8601(
      R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)");
  auto text = call.query(name);
  if (text && !std::regex_match(*text, kIso8601)) {
    throw ClientError(400, "bad_request",
                      fmt::format("{}: expected an ISO 8601 date or time "
                                  "(2026-11-28 or 2026-11-28T10:15:00Z), got \"{}\"",
                                  name, *text));
  }
  return text;
}

std::optional<std::string> choice_param(const RouteCall& call, std::string_view name,
                                        std::initializer_list<std::string_view> choices) {
  auto text = call.query(name);
  if (text && std::find(choices.begin(), choices.end(), *text) == choices.end()) {
    throw ClientError(
        400, "bad_request",
        fmt::format("{}: expected one of {}, got \"{}\"", name, fmt::join(choices, ", "), *text));
  }
  return text;
}

long long id_param(const RouteCall& call, std::string_view name) {
  const auto& text = call.param(name);
  const auto value = integer_in(text);
  if (!value || *value < 1) {
    throw ClientError(404, "not_found",
                      fmt::format("{}: \"{}\" is not an ID (a positive integer)", name, text));
  }
  return *value;
}

void read_json_body(const RouteCall& call, const std::function<void(files::JsonFields&)>& read) {
  const auto parsed = files::parse_json(call.request.body, "the request body");
  if (!parsed) {
    throw ClientError(400, "bad_request", parsed.error().describe());
  }
  if (!parsed->is_object()) {
    throw ClientError(400, "bad_request", "$: expected a JSON object");
  }
  files::FileErrors errors;
  {
    files::JsonFields fields(*parsed, "$", errors);
    read(fields);
  }
  if (!errors.empty()) {
    throw ClientError(400, "bad_request", files::describe(errors, "; "));
  }
}

std::string found(std::optional<std::string> document, const std::string& absent) {
  if (!document)
    throw ClientError(404, "not_found", absent);
  return std::move(*document);
}

void throw_store_error(const store::StoreError& error) {
  if (error.code == store::StoreErrc::Retryable) {
    throw ClientError(503, "database_unavailable",
                      fmt::format("the database cannot be reached now: {}", error.detail));
  }
  throw std::runtime_error(error.detail);
}

}  // namespace hemalink::api
