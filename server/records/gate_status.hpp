#pragma once

#include <cstdint>
#include <string_view>

namespace hemalink::records {

/// Whether an analyzer's quality control for one test is in control: `in` after an accepted run
/// within the interval, `out` after a rejected run (until an accepted one), `unknown` before
/// any judged run or when the last one is older than the interval.
enum class GateStatus : std::uint8_t { In, Out, Unknown };

/// "in", "out", "unknown": the words of the rules' `qc_status`.
constexpr const char* to_string(GateStatus status) {
  switch (status) {
    case GateStatus::In:
      return "in";
    case GateStatus::Out:
      return "out";
    case GateStatus::Unknown:
      break;
  }
  return "unknown";
}

/// What the QC gate says of one analyzer's tests at one moment, read by the rules' `qc_status`.
class TestStatuses {
 public:
  virtual ~TestStatuses() = default;
  virtual GateStatus status(std::string_view test) const = 0;
};

}  // namespace hemalink::records
