#include "server/api/route_params.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <regex>
#include <sstream>

#include "server/files/json_fields.hpp"

namespace hemalink::api {
namespace {

using UtcTime = date::sys_time<std::chrono::microseconds>;

// PostgreSQL reads offsets up to 15:59, and timestamptz in these years with 4 digits.
constexpr int kMaxOffsetHours = 15;
constexpr date::year kFirstYear{1};
constexpr date::year kLastYear{9999};

// A zone offset: Z, or +hh, +hhmm, +hh:mm (and -).
std::optional<std::chrono::minutes> offset_in(const std::ssub_match& sign,
                                              const std::ssub_match& hours,
                                              const std::ssub_match& minutes) {
  if (!sign.matched) {
    return std::chrono::minutes(0);  // Z, or no zone: UTC, as PostgreSQL reads it on our sessions
  }
  const auto h = std::stoi(hours.str());
  const auto m = minutes.matched ? std::stoi(minutes.str()) : 0;
  if (h > kMaxOffsetHours || m > 59) {
    return std::nullopt;
  }
  const std::chrono::minutes offset(h * 60 + m);
  return sign.str() == "-" ? -offset : offset;
}

// An ISO 8601 date or date-time as the instant it names, in microseconds (PostgreSQL's
// precision), or why it names none: the form first, then the calendar and the clock.
Result<UtcTime, Error> utc_time_in(const std::string& text) {
  static const std::regex kIso8601(
      R"((\d{4}-\d{2}-\d{2}))"                          // 1: the date
      R"((?:[T ](\d{2}:\d{2}(:\d{2}(?:\.\d{1,9})?)?))"  // 2: the time of day, 3: its seconds
      R"((Z|([+-])(\d{2})(?::?(\d{2}))?)?)?)");         // 4: the zone (5: sign, 6: hh, 7: mm)
  std::smatch m;
  if (!std::regex_match(text, m, kIso8601)) {
    return Error{
        Errc::BadRequest,
        fmt::format(
            "expected an ISO 8601 date or time (2026-11-28 or 2026-11-28T10:15:00Z), got \"{}\"",
            text)};
  }
  // Read to the nanosecond and rounded after the checks, so that 23:59:59.9999996 is a time.
  std::istringstream in(m[1].str() + " " + m[2].str());
  date::fields<std::chrono::nanoseconds> f{};
  date::from_stream(in, m[3].matched ? "%F %T" : m[2].matched ? "%F %R" : "%F", f);
  if (in.fail()) {
    return Error{Errc::BadRequest, fmt::format("\"{}\" is no date and time", text)};
  }
  if (!f.ymd.month().ok()) {
    return Error{Errc::BadRequest, fmt::format("\"{}\" is no date: months are 01-12", text)};
  }
  if (!f.ymd.ok()) {
    const date::year_month_day_last last(f.ymd.year(), date::month_day_last(f.ymd.month()));
    return Error{Errc::BadRequest,
                 fmt::format("\"{}\" is no date: {} has days 01-{:02}", text,
                             m[1].str().substr(0, 7), static_cast<unsigned>(last.day()))};
  }
  if (!f.tod.in_conventional_range()) {
    return Error{
        Errc::BadRequest,
        fmt::format("\"{}\" is no time of day: hours are 00-23, minutes and seconds 00-59", text)};
  }
  const auto offset = offset_in(m[5], m[6], m[7]);
  if (!offset) {
    return Error{
        Errc::BadRequest,
        fmt::format("\"{}\" has no zone offset PostgreSQL reads (-15:59 to +15:59)", text)};
  }
  const UtcTime at = date::sys_days(f.ymd) +
                     std::chrono::round<std::chrono::microseconds>(f.tod.to_duration()) - *offset;
  const auto year = date::year_month_day(date::floor<date::days>(at)).year();
  if (year < kFirstYear || year > kLastYear) {
    return Error{Errc::BadRequest,
                 fmt::format("\"{}\" is outside the years 0001-9999 in UTC", text)};
  }
  return at;
}

std::optional<long long> integer_in(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || at != end || text.empty())
    return std::nullopt;
  return value;
}

}  // namespace

Result<std::size_t, Error> limit_param(const RouteCall& call, std::size_t fallback,
                                       std::size_t max) {
  const auto text = call.query("limit");
  if (!text)
    return fallback;
  const auto value = integer_in(*text);
  if (!value || *value < 1 || static_cast<std::size_t>(*value) > max) {
    return Error{Errc::BadRequest,
                 fmt::format("limit: expected an integer 1-{}, got \"{}\"", max, *text)};
  }
  return static_cast<std::size_t>(*value);
}

Result<std::optional<std::string>, Error> time_param(const RouteCall& call, std::string_view name) {
  const auto text = call.query(name);
  if (!text) {
    return std::optional<std::string>();
  }
  const auto at = utc_time_in(*text);
  if (!at) {
    return Error{Errc::BadRequest, fmt::format("{}: {}", name, at.error().detail)};
  }
  return std::optional<std::string>(date::format("%FT%TZ", *at));
}

Result<std::optional<std::string>, Error> choice_param(
    const RouteCall& call, std::string_view name, std::initializer_list<std::string_view> choices) {
  auto text = call.query(name);
  if (text && std::find(choices.begin(), choices.end(), *text) == choices.end()) {
    return Error{Errc::BadRequest, fmt::format("{}: expected one of {}, got \"{}\"", name,
                                               fmt::join(choices, ", "), *text)};
  }
  return text;
}

Result<long long, Error> id_param(const RouteCall& call, std::string_view name) {
  const auto& text = call.param(name);
  const auto value = integer_in(text);
  if (!value || *value < 1) {
    return Error{Errc::NotFound,
                 fmt::format("{}: \"{}\" is not an ID (a positive integer)", name, text)};
  }
  return *value;
}

Result<void, Error> read_json_body(const RouteCall& call,
                                   const std::function<void(files::JsonFields&)>& read) {
  const auto parsed = files::parse_json(call.request.body, "the request body");
  if (!parsed) {
    return Error{Errc::BadRequest, parsed.error().describe()};
  }
  if (!parsed->is_object()) {
    return Error{Errc::BadRequest, "$: expected a JSON object"};
  }
  files::FileErrors errors;
  {
    files::JsonFields fields(*parsed, "$", errors);
    read(fields);
  }
  if (!errors.empty()) {
    return Error{Errc::BadRequest, files::describe(errors, "; ")};
  }
  return {};
}

Result<std::string, Error> found(std::optional<std::string> document, const std::string& absent) {
  if (!document)
    return Error{Errc::NotFound, absent};
  return std::move(*document);
}

}  // namespace hemalink::api
