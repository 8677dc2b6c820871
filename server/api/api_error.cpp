#include "server/api/api_error.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "protocols/common/error_category.hpp"
#include "server/rules/errc.hpp"
#include "server/store/errc.hpp"

namespace hemalink::api {
namespace {

struct Problem {
  int status;
  const char* code;
};

Problem problem_of(Errc e) {
  switch (e) {
    case Errc::BadRequest:
      return {400, "bad_request"};
    case Errc::Unauthorized:
      return {401, "unauthorized"};
    case Errc::Forbidden:
      return {403, "forbidden"};
    case Errc::NotFound:
      return {404, "not_found"};
    case Errc::MethodNotAllowed:
      return {405, "method_not_allowed"};
    case Errc::Conflict:
      return {409, "conflict"};
    case Errc::NoRules:
      return {409, "no_rules"};
    case Errc::PayloadTooLarge:
      return {413, "payload_too_large"};
    case Errc::UriTooLong:
      return {414, "uri_too_long"};
    case Errc::RulesInvalid:
      return {422, "rules_invalid"};
    case Errc::PromotionRefused:
      return {422, "promotion_refused"};
    case Errc::BacktestInvalid:
      return {422, "backtest_invalid"};
    case Errc::UpgradeRequired:
      return {426, "upgrade_required"};
    case Errc::HeaderTooLarge:
      return {431, "header_too_large"};
    case Errc::Internal:
      return {500, "internal"};
    case Errc::Unavailable:
      return {503, "database_unavailable"};
  }
  return {500, "internal"};
}

const char* describe(Errc e) {
  return problem_of(e).code;
}

}  // namespace

const std::error_category& error_category() {
  static const ErrorCategory<Errc> category("api", describe);
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

namespace {

Errc api_errc_of(rules::VersionErrc e) {
  switch (e) {
    case rules::VersionErrc::NoSuchVersion:
      return Errc::NotFound;
    case rules::VersionErrc::MoveNotAllowed:
    case rules::VersionErrc::ShadowTaken:
    case rules::VersionErrc::VersionClash:
      return Errc::Conflict;
    case rules::VersionErrc::NoBacktest:
    case rules::VersionErrc::BacktestNotDone:
    case rules::VersionErrc::BacktestOfAnotherVersion:
    case rules::VersionErrc::FalseNegativesUnexplained:
    case rules::VersionErrc::EmptyBacktest:
      return Errc::PromotionRefused;
  }
  return Errc::Conflict;
}

}  // namespace

Error api_error_of(const Error& error) {
  if (error.code.category() == error_category())
    return error;
  if (error.code.category() == make_error_code(rules::VersionErrc::NoSuchVersion).category())
    return {api_errc_of(static_cast<rules::VersionErrc>(error.code.value())), error.detail};
  if (error.code == store::StoreErrc::Retryable) {
    return {Errc::Unavailable, fmt::format("the database cannot be reached now: {}", error.detail)};
  }
  if (error.code == store::StoreErrc::BadValue) {
    // Its first line names the operation and the value; the CONTEXT under it numbers the
    // statement's parameters, which the client never saw.
    return {Errc::BadRequest, error.detail.substr(0, error.detail.find('\n'))};
  }
  return {Errc::Internal, error.detail};
}

int status_of(std::error_code code) {
  if (code.category() != error_category())
    return 500;
  return problem_of(static_cast<Errc>(code.value())).status;
}

ApiResponse error_response(const Error& error, const std::string& request_id) {
  const auto e = api_error_of(error);
  const auto problem = e.code.category() == error_category()
                           ? problem_of(static_cast<Errc>(e.code.value()))
                           : problem_of(Errc::Internal);
  const auto message =
      problem.status == 500
          ? fmt::format(
                "hemalink failed on this request (request ID {}); the daemon's log says why",
                request_id)
          : e.detail;
  return json_response({{"error", {{"code", problem.code}, {"message", message}}}}, problem.status);
}

}  // namespace hemalink::api
