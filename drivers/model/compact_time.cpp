#include "drivers/model/compact_time.hpp"

#include <fmt/format.h>

namespace hemalink::model {

UtcParts utc_parts(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  const auto micros = floor<std::chrono::microseconds>(at);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss<std::chrono::microseconds> time{micros - day};
  return {static_cast<int>(date.year()),
          static_cast<unsigned>(date.month()),
          static_cast<unsigned>(date.day()),
          static_cast<long>(time.hours().count()),
          static_cast<long>(time.minutes().count()),
          static_cast<long>(time.seconds().count()),
          static_cast<long>(time.subseconds().count())};
}

std::string compact_utc(std::chrono::system_clock::time_point at) {
  const auto t = utc_parts(at);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", t.year, t.month, t.day, t.hours, t.minutes,
                     t.seconds);
}

}  // namespace hemalink::model
