#pragma once

#include <string>
#include <vector>

namespace hemalink::model {

/// What happens to a result: sent to the LIS, held for a technologist, run again, or refused.
enum class Verdict { Release, Hold, Rerun, Reject };

/// What a rule asks for when its condition holds: a verdict (release, hold, rerun), an added
/// test (reflex), a comment on the result, or a calculated result (compute).
enum class RuleAction { Release, Hold, Rerun, Reflex, Comment, Compute };

/// One rule that fired on a result, and what it asked for.
struct RuleFiring {
  std::string rule_id;
  RuleAction action = RuleAction::Hold;
  std::string reason;
  std::string reflex_test;  ///< The test a reflex rule requests; empty otherwise.
};

/// A decision about one result: the verdict, the rules behind it, and who or what made it
/// (`rules:<version>` for the rules engine, `user:<name>` for a technologist, `system:<part>`
/// for hemalink's own fail-safes).
struct Decision {
  Verdict verdict = Verdict::Hold;
  std::vector<RuleFiring> fired;
  std::string rule_set_version;
  std::string decided_by;
  std::string reason;
};

/// The fail-safe when no rule set has decided: hold for review, and say why.
Decision hold_for_review(std::string decided_by, std::string reason);

const char* to_string(Verdict verdict);
const char* to_string(RuleAction action);

}  // namespace hemalink::model
