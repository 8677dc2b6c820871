#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::qc {

/// The Westgard multirules (Westgard, Barry, Hunt, Groth, Clin Chem 1981; "Westgard rules" as
/// westgard.com states them). 1-2s only warns; every other rule rejects the run.
enum class WestgardRule {
  Warning12s,  ///< 1-2s: one control beyond 2 SD.
  Reject13s,   ///< 1-3s: one control beyond 3 SD.
  Reject22s,   ///< 2-2s: two in a row beyond the same 2 SD limit (within run, or across runs).
  RejectR4s,   ///< R-4s: within one run, one control beyond +2 SD and another beyond -2 SD.
  Reject41s,   ///< 4-1s: four in a row beyond the same 1 SD limit.
  Reject8x,    ///< 8-x: eight in a row on the same side of the mean.
  Reject10x,   ///< 10-x: ten in a row on the same side of the mean.
  Reject12x,   ///< 12-x: twelve in a row on the same side of the mean.
};

inline constexpr WestgardRule kAllRules[] = {WestgardRule::Warning12s, WestgardRule::Reject13s,
                                             WestgardRule::Reject22s,  WestgardRule::RejectR4s,
                                             WestgardRule::Reject41s,  WestgardRule::Reject8x,
                                             WestgardRule::Reject10x,  WestgardRule::Reject12x};

/// The rule's name as the lab writes it: 1-2s, 1-3s, 2-2s, R-4s, 4-1s, 8-x, 10-x, 12-x.
std::string_view to_string(WestgardRule rule);
/// The rule a lab's name means (as to_string writes it); nullopt for any other word.
std::optional<WestgardRule> rule_named(std::string_view name);

/// Which rules one test uses (Westgard's "QC design": not every test uses them all). The
/// default is the classic multirule 1-3s/2-2s/R-4s/4-1s/10-x, with the 1-2s warning.
struct RuleSelection {
  std::vector<WestgardRule> rules = {WestgardRule::Warning12s, WestgardRule::Reject13s,
                                     WestgardRule::Reject22s,  WestgardRule::RejectR4s,
                                     WestgardRule::Reject41s,  WestgardRule::Reject10x};
  bool uses(WestgardRule rule) const;
};

/// One control result as a z-score: (value - target mean) / target SD, for its level.
struct ControlValue {
  std::string level;
  double z = 0;
};

/// The controls of one run (one or more levels measured together), in the order measured.
struct ControlRun {
  std::vector<ControlValue> values;
};

struct Violation {
  WestgardRule rule;
  std::string detail;  ///< Which values, in words: "level 2: +3.4 SD".
};

struct Evaluation {
  std::vector<Violation> violations;
  bool is_rejected = false;  ///< A rejection rule was violated (1-2s alone only warns).
};

/// Judges `run` against the test's earlier runs (`earlier`, oldest first, each as it was
/// measured). Only sequences that reach into `run` count: an old violation is not found again.
/// Within the run: 1-3s and 1-2s on each value, 2-2s across its levels, R-4s. Across runs: 2-2s
/// per level; 4-1s and the n-x rules per level, and over all values in the order measured
/// (levels and runs together), as Westgard applies them across materials.
Evaluation evaluate(const std::vector<ControlRun>& earlier, const ControlRun& run,
                    const RuleSelection& rules = {});

}  // namespace hemalink::qc
