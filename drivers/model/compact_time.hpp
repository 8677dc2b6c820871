#pragma once

#include <chrono>
#include <string>

namespace hemalink::model {

/// A time point broken down in UTC, for the text forms the protocols and the database want.
struct UtcParts {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  long hours = 0;
  long minutes = 0;
  long seconds = 0;
  long microseconds = 0;
};

UtcParts utc_parts(std::chrono::system_clock::time_point at);

/// `at` in UTC as YYYYMMDDHHMMSS, the date-time form of ASTM (H-14) and HL7 (TS/DTM).
std::string compact_utc(std::chrono::system_clock::time_point at);

}  // namespace hemalink::model
