#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "server/simulate/lab_day.hpp"

namespace hemalink::cli {

/// What `hemalink simulate --lab-day N --config FILE ...` plays.
struct LabDayRun {
  simulate::LabDayPlan plan;
  std::string config_file;
  std::string truth_file;  ///< Empty: no truth file.
  double rate = 0;         ///< Messages per second per analyzer; 0: as fast as answered.
  std::chrono::milliseconds timeout{1800 * 1000};
};

/// The lab's analyzers that the configuration names play a generated laboratory day on their
/// ports, each on its own connection and all at once; the truth of every tube sent goes to the
/// truth file. Exit 0 when every message was answered, 1 when one was not, 2 when the
/// configuration cannot be read or the truth file written.
int play_lab_day(const LabDayRun& run, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
