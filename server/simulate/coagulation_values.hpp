#pragma once

#include <string_view>
#include <vector>

#include "server/simulate/case_mix.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// A citrate tube's values before rounding, in the units of config/mappings/sysmex-cs.json.
/// INR = (PT / kMeanNormalPt) ^ kIsi and PT % (Quick) follow from PT.
struct Coagulation {
  double pt_sec = 0;
  double pt_pct = 0;
  double inr = 0;
  double aptt = 0;    ///< s
  double fib = 0;     ///< g/L (Clauss)
  double ddimer = 0;  ///< ug/mL FEU
};

/// Normal PT: 10.0-11.8 s [R27]; the reagent's ISI taken as 1.0 (chosen).
inline constexpr double kMeanNormalPt = 10.9;
inline constexpr double kIsi = 1.0;
inline constexpr double kMeanNormalAptt = 28.2;  ///< 24.7-31.7 s [R27]

/// What went wrong with a citrate tube: the analyzer's sample check sees it.
enum class CitrateTubeProblem { None, UnderFilled, Clotted };
std::string_view name_of(CitrateTubeProblem problem);

/// Of citrate tubes, the share under-filled and clotted.
struct CitrateProblemShares {
  double under_filled = 0;
  double clotted = 0;
};
CitrateProblemShares citrate_problem_shares(bool is_inpatient);

/// `age` for the D-dimer's upper limit, which rises with age [R28].
Coagulation draw_coagulation(CoagulationCondition condition, int age, RandomDraws& draws);
CitrateTubeProblem draw_citrate_problem(bool is_inpatient, RandomDraws& draws);
/// What the analyzer measures in a tube with `problem`.
Coagulation as_measured(const Coagulation& blood, CitrateTubeProblem problem, RandomDraws& draws);

/// PT_SEC, PT_PCT, INR, APTT always (the COAG order); FIB and DDIMER when ordered. Rounded to
/// the mapping's decimals.
std::vector<LabValue> coagulation_values(const Coagulation& c, bool with_fibrinogen,
                                         bool with_ddimer);

}  // namespace hemalink::simulate
