#include "server/simulate/coagulation_values.hpp"

#include <algorithm>
#include <cmath>

#include "server/simulate/blood_count.hpp"

namespace hemalink::simulate {
namespace {

constexpr double kPtSd = 0.46;              // 10.0-11.8 s [R27]
constexpr double kApttSd = 1.79;            // 24.7-31.7 s [R27]
constexpr double kFibrinogenMedian = 2.59;  // 1.6-4.2 g/L [R27]
constexpr double kFibrinogenSigma = 0.245;
// D-dimer: upper 95 % limit 0.92 ug/mL FEU under 50 years, 2.39 at 70 and over [R28]: a
// log-normal with sigma 0.69 and these medians, between 50 and 70 on a log line.
constexpr double kDdimerSigma = 0.69;
constexpr double kDdimerMedianYoung = 0.30;
constexpr double kDdimerMedianOld = 0.78;
// Quick's hyperbola: PT % = 100 x (MNPT - b) / (PT - b) (b chosen).
constexpr double kQuickOffset = 7.0;

// Warfarin [R90]: 23 % below INR 2.0, 61 % in 2.0-3.0, 16 % above 3.0; of them INR 5 and over in
// 2 % of warfarin INRs (0.6 % of all INRs [R51], warfarin patients about 30 % of INRs (chosen)).
constexpr double kWarfarinBelowRange = 0.23;
constexpr double kWarfarinInRange = 0.61;
constexpr double kWarfarinAboveFive = 0.02;
// Heparin: APTT ratio 1.5-2.5 [R92] in 65 %; 20 % below, 15 % above (chosen).
constexpr double kHeparinBelowRange = 0.20;
constexpr double kHeparinInRange = 0.65;

// Under-filled citrate tubes [R96, R97]: 2 % of inpatients, 1 % of outpatients; clotted 0.5 %
// (chosen; R89: defective volume the first cause of a manual hold, partial clots its false
// negatives).
constexpr CitrateProblemShares kInpatientProblems = {0.02, 0.005};
constexpr CitrateProblemShares kOutpatientProblems = {0.01, 0.005};

double ddimer_median(int age) {
  if (age < 50) {
    return kDdimerMedianYoung;
  }
  if (age >= 70) {
    return kDdimerMedianOld;
  }
  const double f = (age - 50) / 20.0;
  return std::exp(std::log(kDdimerMedianYoung) * (1 - f) + std::log(kDdimerMedianOld) * f);
}

double warfarin_inr(RandomDraws& draws) {
  const double u = draws.uniform();
  if (u < kWarfarinBelowRange) {
    return draws.uniform(1.3, 2.0);
  }
  if (u < kWarfarinBelowRange + kWarfarinInRange) {
    return 2.0 + 0.5 * (draws.uniform() + draws.uniform());  // triangular, peak 2.5
  }
  if (u < 1 - kWarfarinAboveFive) {
    return draws.uniform(3.0, 5.0);
  }
  return std::exp(draws.uniform(std::log(5.1), std::log(10.0)));
}

double heparin_aptt_ratio(RandomDraws& draws) {
  const double u = draws.uniform();
  if (u < kHeparinBelowRange) {
    return draws.uniform(1.1, 1.5);
  }
  if (u < kHeparinBelowRange + kHeparinInRange) {
    return draws.uniform(1.5, 2.5);
  }
  return draws.uniform(2.5, 3.8);
}

void derive_from_pt(Coagulation& c) {
  c.inr = std::pow(c.pt_sec / kMeanNormalPt, kIsi);
  c.pt_pct = std::min(130.0, 100.0 * (kMeanNormalPt - kQuickOffset) / (c.pt_sec - kQuickOffset));
}

}  // namespace

std::string_view name_of(CitrateTubeProblem problem) {
  switch (problem) {
    case CitrateTubeProblem::None:
      return "none";
    case CitrateTubeProblem::UnderFilled:
      return "under-filled-citrate-tube";
    case CitrateTubeProblem::Clotted:
      return "clotted-citrate-tube";
  }
  return "none";
}

CitrateProblemShares citrate_problem_shares(bool is_inpatient) {
  return is_inpatient ? kInpatientProblems : kOutpatientProblems;
}

Coagulation draw_coagulation(CoagulationCondition condition, int age, RandomDraws& draws) {
  Coagulation c;
  c.pt_sec = draws.normal(kMeanNormalPt, kPtSd);
  c.aptt = draws.normal(kMeanNormalAptt, kApttSd);
  c.fib = draws.log_normal(kFibrinogenMedian, kFibrinogenSigma);
  c.ddimer = draws.log_normal(ddimer_median(age), kDdimerSigma);
  switch (condition) {
    case CoagulationCondition::Normal:
      break;
    case CoagulationCondition::Warfarin: {
      const double inr = warfarin_inr(draws);
      c.pt_sec = kMeanNormalPt * std::pow(inr, 1.0 / kIsi);
      c.aptt *= 1 + 0.10 * (inr - 1);  // warfarin lengthens the APTT a little (chosen)
      break;
    }
    case CoagulationCondition::Heparin:
      c.aptt = kMeanNormalAptt * heparin_aptt_ratio(draws);
      c.pt_sec *= 1.05;
      break;
    case CoagulationCondition::LiverDisease:  // (chosen)
      c.pt_sec = kMeanNormalPt * std::pow(draws.log_normal(1.6, 0.2), 1.0 / kIsi);
      c.aptt *= draws.uniform(1.1, 1.4);
      c.fib = draws.log_normal(1.8, 0.25);
      c.ddimer = draws.log_normal(1.0, 0.6);
      break;
    case CoagulationCondition::Dic:
      // Low fibrinogen, high D-dimer, prolonged PT and APTT [R93-R95] (values chosen).
      c.pt_sec = kMeanNormalPt * std::pow(draws.uniform(1.5, 3.0), 1.0 / kIsi);
      c.aptt = kMeanNormalAptt * draws.uniform(1.3, 2.3);
      c.fib = draws.uniform(0.4, 1.4);
      c.ddimer = std::max(4.0, draws.log_normal(12.0, 0.6));
      break;
  }
  derive_from_pt(c);
  return c;
}

CitrateTubeProblem draw_citrate_problem(bool is_inpatient, RandomDraws& draws) {
  const CitrateProblemShares s = citrate_problem_shares(is_inpatient);
  const double u = draws.uniform();
  if (u < s.under_filled) {
    return CitrateTubeProblem::UnderFilled;
  }
  return u < s.under_filled + s.clotted ? CitrateTubeProblem::Clotted : CitrateTubeProblem::None;
}

Coagulation as_measured(const Coagulation& blood, CitrateTubeProblem problem, RandomDraws& draws) {
  Coagulation c = blood;
  switch (problem) {
    case CitrateTubeProblem::None:
      return c;
    case CitrateTubeProblem::UnderFilled: {
      // Excess citrate: INR 2.3 -> 2.8 at 3/4 fill, 3.4 at 1/2 [R96], about x (1 + 0.96 x the
      // missing fraction); the APTT likewise (0.8, chosen). Fill 45-80 % (ICSH rejects < 80 %).
      const double missing = 1 - draws.uniform(0.45, 0.8);
      c.pt_sec *= 1 + 0.96 * missing;
      c.aptt *= 1 + 0.8 * missing;
      c.fib *= 1 - 0.3 * missing;
      break;
    }
    case CitrateTubeProblem::Clotted:  // factors and fibrinogen consumed (chosen)
      c.pt_sec *= draws.uniform(1.2, 1.6);
      c.aptt *= draws.uniform(1.2, 2.0);
      c.fib *= draws.uniform(0.3, 0.7);
      break;
  }
  derive_from_pt(c);
  return c;
}

std::vector<LabValue> coagulation_values(const Coagulation& c, bool with_fibrinogen,
                                         bool with_ddimer) {
  // Decimals as config/mappings/sysmex-cs.json.
  std::vector<LabValue> out = {
      {"PT_SEC", rounded(c.pt_sec, 1)},
      {"PT_PCT", rounded(c.pt_pct, 1)},
      {"INR", rounded(c.inr, 2)},
      {"APTT", rounded(c.aptt, 1)},
  };
  if (with_fibrinogen) {
    out.push_back({"FIB", rounded(c.fib, 2)});
  }
  if (with_ddimer) {
    out.push_back({"DDIMER", rounded(c.ddimer, 2)});
  }
  return out;
}

}  // namespace hemalink::simulate
