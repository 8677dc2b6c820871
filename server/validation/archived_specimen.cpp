#include "server/validation/archived_specimen.hpp"

namespace hemalink::validation {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::AutoReleased:
      return "released_by_rules";
    case Outcome::AutoRerun:
      return "rerun_by_rules";
    case Outcome::Held:
      return "held";
    case Outcome::Released:
      return "released";
    case Outcome::Corrected:
      return "corrected";
    case Outcome::Rerun:
      return "rerun";
    case Outcome::Rejected:
      break;
  }
  return "rejected";
}

bool is_human(Outcome outcome) {
  return outcome == Outcome::Released || outcome == Outcome::Corrected ||
         outcome == Outcome::Rerun || outcome == Outcome::Rejected;
}

bool is_released_unchanged(Outcome outcome) {
  return outcome == Outcome::Released || outcome == Outcome::AutoReleased;
}

}  // namespace hemalink::validation
