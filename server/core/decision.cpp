#include "server/core/decision.hpp"

#include <utility>

namespace hemalink::core {

Decision hold_for_review(std::string decided_by, std::string reason) {
  Decision d;
  d.verdict = Verdict::Hold;
  d.decided_by = std::move(decided_by);
  d.reason = std::move(reason);
  return d;
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Release:
      return "release";
    case Verdict::Hold:
      return "hold";
    case Verdict::Rerun:
      return "rerun";
    case Verdict::Reject:
      return "reject";
  }
  return "hold";
}

}  // namespace hemalink::core
