#include "drivers/model/decision.hpp"

#include <utility>

namespace hemalink::model {

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

const char* to_string(RuleAction action) {
  switch (action) {
    case RuleAction::Release:
      return "release";
    case RuleAction::Hold:
      return "hold";
    case RuleAction::Rerun:
      return "rerun";
    case RuleAction::Reflex:
      return "reflex";
    case RuleAction::Comment:
      return "comment";
    case RuleAction::Compute:
      return "compute";
  }
  return "hold";
}

}  // namespace hemalink::model
