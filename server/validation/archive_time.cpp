#include "server/validation/archive_time.hpp"

#include <charconv>

namespace hemalink::validation {
namespace {

// The number of `width` digits at `at`, and `at` moved past them.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t width) {
  if (at + width > text.size()) {
    return std::nullopt;
  }
  int n = 0;
  const auto* first = text.data() + at;
  const auto [end, error] = std::from_chars(first, first + width, n);
  if (error != std::errc() || end != first + width) {
    return std::nullopt;
  }
  at += width;
  return n;
}

bool take(std::string_view text, std::size_t& at, std::string_view any_of) {
  if (at < text.size() && any_of.find(text[at]) != std::string_view::npos) {
    ++at;
    return true;
  }
  return false;
}

}  // namespace

std::optional<TimePoint> archive_time(std::string_view text) {
  if (!text.empty() && text.back() == 'Z') {
    text.remove_suffix(1);
  }
  std::size_t at = 0;
  const auto y = digits(text, at, 4);
  const bool dash1 = take(text, at, "-");
  const auto m = digits(text, at, 2);
  const bool dash2 = take(text, at, "-");
  const auto d = digits(text, at, 2);
  if (!y || !m || !d || !dash1 || !dash2) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year(*y),
                                        std::chrono::month(static_cast<unsigned>(*m)),
                                        std::chrono::day(static_cast<unsigned>(*d))};
  if (!day.ok()) {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (at < text.size()) {
    if (!take(text, at, "T ")) {
      return std::nullopt;
    }
    const auto h = digits(text, at, 2);
    const bool colon = take(text, at, ":");
    const auto mi = digits(text, at, 2);
    if (!h || !colon || !mi || *h > 23 || *mi > 59) {
      return std::nullopt;
    }
    hour = *h;
    minute = *mi;
    if (take(text, at, ":")) {
      const auto s = digits(text, at, 2);
      if (!s || *s > 59) {
        return std::nullopt;
      }
      second = *s;
    }
  }
  if (at != text.size()) {
    return std::nullopt;
  }
  return std::chrono::sys_days(day) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

}  // namespace hemalink::validation
