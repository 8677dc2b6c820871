#pragma once

#include <array>
#include <vector>

#include "server/simulate/case_mix.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// A blood count before rounding, in the units of config/mappings/sysmex-xn.json. RBC, MCV and
/// MCHC are drawn; HCT, HGB and MCH follow from them (derive_red_cell_indices), so the identities
/// hold exactly: HCT % = RBC x MCV / 10, HGB = MCHC x HCT / 100, MCH = HGB x 10 / RBC.
struct BloodCount {
  double wbc = 0;   ///< 10*3/uL
  double rbc = 0;   ///< 10*6/uL
  double mcv = 0;   ///< fL
  double mchc = 0;  ///< g/dL
  double hct = 0;   ///< %
  double hgb = 0;   ///< g/dL
  double mch = 0;   ///< pg
  double plt = 0;   ///< 10*3/uL
  double mpv = 0;   ///< fL
  double rdw_cv = 0;
  double rdw_sd = 0;
  /// NEUT, LYMPH, MONO, EO, BASO in % of the WBC: they sum to 100.
  std::array<double, 5> differential{};
  double ig_pct = 0;    ///< Immature granulocytes, % of the WBC, apart from the five.
  double nrbc_pct = 0;  ///< NRBC per 100 WBC.
  double ret_pct = 0;
};

void derive_red_cell_indices(BloodCount& count);

/// What a condition puts in the blood besides the counts, for the analyzer's messages and the
/// truth.
struct BloodFindings {
  bool has_blasts = false;
  bool has_atypical_lymphocytes = false;
  bool has_nrbc = false;
  bool has_fragments = false;  ///< Schistocytes (microangiopathy, DIC).
};

/// A patient's blood as drawn at the first tube of the day.
struct PatientBlood {
  Condition condition = Condition::Healthy;
  BloodCount count;
  BloodFindings findings;
};

/// `sex` 'F' or 'M', `age` in years (1 and over).
PatientBlood draw_patient_blood(Condition condition, char sex, int age, RandomDraws& draws);

/// The same blood some hours later: the within-person change, the condition's signature kept.
BloodCount within_person_change(const PatientBlood& blood, RandomDraws& draws);

/// `value` rounded half away from zero to `decimals`.
double rounded(double value, int decimals);

/// The values the XN reports, rounded to the mapping's decimals: the FBC profile always, the
/// differential (5 parts and IG) and reticulocytes when asked. The differential's percentages are
/// rounded by largest remainder, so they still sum to 100.0; absolutes are % x WBC / 100 of the
/// unrounded values, then rounded.
std::vector<LabValue> blood_count_values(const BloodCount& count, bool with_differential,
                                         bool with_reticulocytes);

}  // namespace hemalink::simulate
