#include "server/simulate/blood_count.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace hemalink::simulate {
namespace {

// What a condition's blood looks like; the defaults are healthy adults'. RBC is drawn as median
// x (mcv / MCV) x exp(N(0, sigma)): log RBC falls as MCV rises (r about -0.6), so HCT and HGB
// spread as NORIP's do [R1] while RBC, MCV and MCHC are the drawn values. WBC, PLT, IG and RET
// are log-normal (median, sigma); the differential's five parts are log-normal weights around
// these medians, scaled to 100.
//
// Healthy adults, NORIP [R1] (2.5-97.5 percentiles, so SD = range / 3.92): RBC F 3.94-5.16,
// M 4.25-5.71; MCV 82-98; MCHC 31.7-35.7 g/dL; WBC 3.5-8.8; PLT F 165-387, M 145-348. The
// differential's medians [R5]; RDW-CV 11.5-14.5 % [R7]; IG median 0.3 % (95th percentile 0.74 %
// [R10]); RET% 0.485-1.504 [R9].
struct ConditionBlood {
  double rbc_female = 4.55;  // 10*6/uL at the condition's MCV
  double rbc_male = 4.98;
  double rbc_sigma = 0.06;
  double mcv = 90.0;
  double mcv_sd = 4.08;
  double mchc = 33.7;
  double mchc_sd = 1.02;
  double rdw_cv = 13.0;
  double rdw_cv_sd = 0.77;
  double wbc = 5.55;
  double wbc_sigma = 0.235;
  std::array<double, 5> differential = {59.5, 30.0, 7.0, 2.5, 0.6};
  double ig = 0.3;
  double ig_sigma = 0.5;
  double plt_female = 252.7;  // men x kMalePlateletRatio
  double plt_sigma = 0.22;
  double mpv_shift = 0.0;
  double ret = 0.854;
  double ret_sigma = 0.29;
  double nrbc_share = 0.0;       // of patients with NRBC in the blood
  double fragments_share = 0.0;  // of patients with red cell fragments
};

constexpr ConditionBlood kHealthy{};
// Microcytic, hypochromic, RDW up [R18]; Mentzer index MCV/RBC above 13 [R19]; the reactive
// platelet count and the rest chosen.
constexpr ConditionBlood kIronDeficiency{.rbc_female = 4.2,
                                         .rbc_male = 4.6,
                                         .rbc_sigma = 0.10,
                                         .mcv = 74.0,
                                         .mcv_sd = 5.0,
                                         .mchc = 31.0,
                                         .mchc_sd = 1.2,
                                         .rdw_cv = 16.5,
                                         .rdw_cv_sd = 1.5,
                                         .wbc = 6.0,
                                         .wbc_sigma = 0.25,
                                         .plt_female = 320.0,
                                         .plt_sigma = 0.25,
                                         .ret = 0.8,
                                         .ret_sigma = 0.35};
// RBC high, MCV 60-72, Mentzer below 13 [R19]; RDW near normal (chosen).
constexpr ConditionBlood kThalassaemiaTrait{.rbc_female = 5.6,
                                            .rbc_male = 6.0,
                                            .mcv = 66.0,
                                            .mcv_sd = 3.0,
                                            .mchc = 32.5,
                                            .mchc_sd = 0.8,
                                            .rdw_cv = 14.5,
                                            .rdw_cv_sd = 1.0,
                                            .ret = 1.2,
                                            .ret_sigma = 0.35};
// Macrocytic anaemia, MCV over 100 [R44], mild leukopenia and thrombocytopenia (chosen).
constexpr ConditionBlood kB12FolateDeficiency{.rbc_female = 3.1,
                                              .rbc_male = 3.3,
                                              .rbc_sigma = 0.12,
                                              .mcv = 108.0,
                                              .mcv_sd = 5.0,
                                              .mchc = 33.5,
                                              .mchc_sd = 1.0,
                                              .rdw_cv = 16.5,
                                              .rdw_cv_sd = 1.5,
                                              .wbc = 4.6,
                                              .wbc_sigma = 0.3,
                                              .differential = {58.0, 31.0, 7.0, 3.0, 0.6},
                                              .plt_female = 180.0,
                                              .plt_sigma = 0.3,
                                              .ret = 0.6,
                                              .ret_sigma = 0.35};
// Neutrophilia with immature granulocytes: IG 5 % and over in a third (chosen).
constexpr ConditionBlood kInfectionLeftShift{.rbc_female = 4.3,
                                             .rbc_male = 4.7,
                                             .rbc_sigma = 0.07,
                                             .mcv = 89.0,
                                             .mcv_sd = 4.5,
                                             .mchc = 33.3,
                                             .mchc_sd = 1.0,
                                             .rdw_cv = 13.5,
                                             .rdw_cv_sd = 1.0,
                                             .wbc = 15.0,
                                             .wbc_sigma = 0.3,
                                             .differential = {82.0, 9.0, 7.0, 0.5, 0.3},
                                             .ig = 3.5,
                                             .ig_sigma = 0.75,
                                             .plt_female = 280.0,
                                             .plt_sigma = 0.3,
                                             .ret = 0.9,
                                             .ret_sigma = 0.35};
// Viral (EBV-like) lymphocytosis with atypical lymphocytes (chosen).
constexpr ConditionBlood kReactiveLymphocytosis{.wbc = 12.0,
                                                .wbc_sigma = 0.3,
                                                .differential = {30.0, 58.0, 9.0, 1.5, 0.5},
                                                .ig = 0.4,
                                                .plt_female = 190.0,
                                                .plt_sigma = 0.3};
// The inpatient's normocytic anaemia [R40, R41] (values chosen).
constexpr ConditionBlood kAnaemiaOfIllness{.rbc_female = 3.45,
                                           .rbc_male = 3.7,
                                           .rbc_sigma = 0.12,
                                           .mcv = 88.0,
                                           .mcv_sd = 5.0,
                                           .mchc = 32.8,
                                           .mchc_sd = 1.0,
                                           .rdw_cv = 14.8,
                                           .rdw_cv_sd = 1.2,
                                           .wbc = 8.0,
                                           .wbc_sigma = 0.35,
                                           .differential = {68.0, 20.0, 8.0, 3.0, 0.5},
                                           .ig = 0.5,
                                           .ig_sigma = 0.6,
                                           .plt_female = 240.0,
                                           .plt_sigma = 0.4,
                                           .ret = 1.0,
                                           .ret_sigma = 0.35};
// Normocytic anaemia with reticulocytes up, HGB below 7 in about a third (chosen).
constexpr ConditionBlood kAcuteBleeding{.rbc_female = 2.6,
                                        .rbc_male = 2.8,
                                        .rbc_sigma = 0.18,
                                        .mcv = 89.0,
                                        .mcv_sd = 4.5,
                                        .mchc = 33.3,
                                        .mchc_sd = 1.0,
                                        .rdw_cv = 14.0,
                                        .rdw_cv_sd = 1.0,
                                        .wbc = 10.0,
                                        .wbc_sigma = 0.3,
                                        .differential = {75.0, 15.0, 7.0, 2.0, 0.5},
                                        .ig = 0.6,
                                        .plt_female = 290.0,
                                        .plt_sigma = 0.35,
                                        .ret = 2.5,
                                        .ret_sigma = 0.35};
// ICU: anaemia, neutrophilia, NRBC in a quarter (so 17.5 % of ICU patients [R48-R50]); red cell
// fragments in 15 % (chosen: overt DIC in 29 % of septic ICU patients [R94], schistocytes in
// some); the platelets are drawn in draw_platelets (thrombocytopenia [R46, R47]).
constexpr ConditionBlood kCriticalIllness{.rbc_female = 3.2,
                                          .rbc_male = 3.4,
                                          .rbc_sigma = 0.15,
                                          .mcv = 91.0,
                                          .mcv_sd = 5.0,
                                          .mchc = 32.8,
                                          .mchc_sd = 1.2,
                                          .rdw_cv = 15.0,
                                          .rdw_cv_sd = 1.5,
                                          .wbc = 12.0,
                                          .wbc_sigma = 0.55,
                                          .differential = {82.0, 8.0, 7.0, 0.5, 0.3},
                                          .ig = 1.5,
                                          .ig_sigma = 0.7,
                                          .plt_female = 220.0,
                                          .plt_sigma = 0.45,
                                          .ret = 1.2,
                                          .ret_sigma = 0.35,
                                          .nrbc_share = 0.25,
                                          .fragments_share = 0.15};
// Pancytopenia; chemotherapy's platelets are disproportionately small [R16]; RBC macrocytic
// (chosen).
constexpr ConditionBlood kChemotherapyCytopenia{.rbc_female = 3.2,
                                                .rbc_male = 3.4,
                                                .rbc_sigma = 0.14,
                                                .mcv = 96.0,
                                                .mcv_sd = 6.0,
                                                .mchc = 33.2,
                                                .mchc_sd = 1.0,
                                                .rdw_cv = 15.5,
                                                .rdw_cv_sd = 1.5,
                                                .wbc = 3.0,
                                                .wbc_sigma = 0.7,
                                                .differential = {45.0, 40.0, 10.0, 2.0, 0.5},
                                                .ig_sigma = 0.6,
                                                .plt_female = 90.0,
                                                .plt_sigma = 0.85,
                                                .mpv_shift = -1.0,
                                                .ret = 0.5,
                                                .ret_sigma = 0.35};
// Blasts counted among the lymphocytes and monocytes; WBC low or high (draw_wbc); anaemia and
// thrombocytopenia; small platelets [R16]; NRBC in a fifth (chosen).
constexpr ConditionBlood kAcuteLeukaemia{.rbc_female = 2.8,
                                         .rbc_male = 3.0,
                                         .rbc_sigma = 0.2,
                                         .mcv = 93.0,
                                         .mcv_sd = 6.0,
                                         .mchc = 33.2,
                                         .mchc_sd = 1.0,
                                         .rdw_cv = 16.0,
                                         .rdw_cv_sd = 2.0,
                                         .wbc = 1.6,
                                         .wbc_sigma = 0.45,
                                         .differential = {25.0, 45.0, 25.0, 1.0, 0.5},
                                         .ig = 3.0,
                                         .ig_sigma = 0.8,
                                         .plt_female = 40.0,
                                         .plt_sigma = 0.7,
                                         .mpv_shift = -0.5,
                                         .ret = 0.5,
                                         .ret_sigma = 0.35,
                                         .nrbc_share = 0.2};
// Isolated thrombocytopenia with large platelets (chosen).
constexpr ConditionBlood kImmuneThrombocytopenia{
    .plt_female = 30.0, .plt_sigma = 0.8, .mpv_shift = 1.5};

const ConditionBlood& blood_of(Condition condition) {
  switch (condition) {
    case Condition::Healthy:
      return kHealthy;
    case Condition::IronDeficiency:
      return kIronDeficiency;
    case Condition::ThalassaemiaTrait:
      return kThalassaemiaTrait;
    case Condition::B12FolateDeficiency:
      return kB12FolateDeficiency;
    case Condition::InfectionLeftShift:
      return kInfectionLeftShift;
    case Condition::ReactiveLymphocytosis:
      return kReactiveLymphocytosis;
    case Condition::AnaemiaOfIllness:
      return kAnaemiaOfIllness;
    case Condition::AcuteBleeding:
      return kAcuteBleeding;
    case Condition::CriticalIllness:
      return kCriticalIllness;
    case Condition::ChemotherapyCytopenia:
      return kChemotherapyCytopenia;
    case Condition::AcuteLeukaemia:
      return kAcuteLeukaemia;
    case Condition::ImmuneThrombocytopenia:
      return kImmuneThrombocytopenia;
  }
  return kHealthy;
}

// NORIP's platelet medians, men against women [R1]: 224.6 / 252.7.
constexpr double kMalePlateletRatio = 0.889;
// The differential's log-normal spread per part (NEUT, LYMPH, MONO, EO, BASO), from the ranges of
// [R5] (chosen for EO and BASO).
constexpr std::array<double, 5> kDifferentialSigma = {0.12, 0.25, 0.22, 0.6, 0.5};
// MPV [R6]: mean 11.0 fL, SD 1.0; r = -0.49 with the platelet count [R16].
constexpr double kMpvMean = 11.0;
constexpr double kMpvSd = 1.0;
constexpr double kMpvPlateletCorrelation = -0.49;
// The width of a normal curve at 20 % of its height is 3.59 SD: RDW-SD from RDW-CV and MCV
// (chosen; it gives [R7]'s 39-46 fL).
constexpr double kRdwSdPerSd = 3.59;
// Healthy outpatients with a few NRBC on the XN: 0.5 % [R12].
constexpr double kNrbcNoiseShare = 0.005;
// True MCHC stays at or below this; only an artefact reads higher (chosen).
constexpr double kTrueMchcCeiling = 36.0;
// Within-person change between tubes hours apart, as a CV: MCV 0.31-0.37 % [R14]; the others
// chosen (biological variation with the day's treatment).
struct WithinPerson {
  double rbc = 0.03;
  double mcv = 0.0035;
  double mchc = 0.01;
  double wbc = 0.12;
  double plt = 0.08;
  double differential = 0.10;
  double ig = 0.2;
  double nrbc = 0.3;
  double ret = 0.08;
  double rdw = 0.02;
  double mpv = 0.02;
};
constexpr WithinPerson kWithinPerson;

bool is_child(int age) {
  return age < 13;
}

double draw_mchc(const ConditionBlood& c, RandomDraws& draws) {
  for (int i = 0; i < 20; ++i) {
    const double mchc = draws.normal(c.mchc, c.mchc_sd);
    if (mchc <= kTrueMchcCeiling) {
      return mchc;
    }
  }
  return kTrueMchcCeiling;
}

std::array<double, 5> draw_differential(std::array<double, 5> medians, RandomDraws& draws) {
  std::array<double, 5> parts{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    parts[i] = draws.log_normal(medians[i], kDifferentialSigma[i]);
  }
  const double sum = std::accumulate(parts.begin(), parts.end(), 0.0);
  for (auto& p : parts) {
    p = p * 100.0 / sum;
  }
  return parts;
}

double draw_wbc(Condition condition, const ConditionBlood& c, RandomDraws& draws) {
  if (condition == Condition::AcuteLeukaemia && draws.chance(0.6)) {
    return draws.log_normal(35.0, 0.8);  // the hyperleukocytic 60 % (chosen)
  }
  return draws.log_normal(c.wbc, c.wbc_sigma);
}

double draw_platelets(Condition condition, const ConditionBlood& c, char sex,
                      const BloodFindings& findings, RandomDraws& draws) {
  const double median = sex == 'M' ? c.plt_female * kMalePlateletRatio : c.plt_female;
  // ICU: 15 % with a consumptive thrombocytopenia, so PLT < 150 in about 30 % and <= 50 in about
  // 8 % [R46: 23.4 % at admission, 43.2 % at any time; R47: <= 50 in 6.3 % on day 1]; red cell
  // fragments (a microangiopathy) always with one (chosen).
  if (findings.has_fragments || (condition == Condition::CriticalIllness && draws.chance(0.15))) {
    return draws.log_normal(45.0, 0.6);
  }
  return draws.log_normal(median, c.plt_sigma);
}

double mpv_for(double plt, double shift, RandomDraws& draws) {
  const double z = std::clamp(std::log(plt / 240.0) / 0.22, -3.0, 3.0);
  const double residual = std::sqrt(1 - kMpvPlateletCorrelation * kMpvPlateletCorrelation);
  const double mpv =
      kMpvMean + kMpvPlateletCorrelation * kMpvSd * z + draws.normal(0, kMpvSd * residual) + shift;
  return std::clamp(mpv, 7.0, 15.0);
}

double rdw_sd_for(double rdw_cv, double mcv, RandomDraws& draws) {
  return kRdwSdPerSd * rdw_cv / 100.0 * mcv * draws.log_normal(1.0, 0.03);
}

// What makes each condition what it is (chosen where no source is named). A count is drawn
// until it has it; after a within-person change, the limits are kept by clamping.
constexpr double kFragmentsPlateletCeiling = 90.0;
constexpr double kLeukaemiaWbcLow = 2.9;  // a leukaemia's WBC is below 3 or above 15
constexpr double kLeukaemiaWbcHigh = 15.5;
constexpr double kLeukaemiaPlateletCeiling = 140.0;
constexpr double kImmuneThrombocytopeniaCeiling = 100.0;
constexpr double kThalassaemiaMcvLow = 60.0;  // MCV 60-72, Mentzer below 13 [R19]
constexpr double kThalassaemiaMcvHigh = 72.0;
constexpr double kThalassaemiaMentzerBelow = 12.5;
constexpr double kIronDeficiencyMcvHigh = 80.0;  // microcytic, Mentzer above 13 [R19]
constexpr double kIronDeficiencyMentzerAbove = 13.5;
constexpr double kMacrocyticMcvLow = 100.5;
constexpr double kReactiveLymphocytesLow = 4.5;  // x10*3/uL
constexpr double kNrbcLow = 0.5;                 // /100 WBC, when NRBC are in the blood

double lymphocytes_of(const BloodCount& b) {
  return b.wbc * b.differential[1] / 100.0;
}

bool has_signature(Condition condition, const BloodFindings& findings, const BloodCount& b) {
  if ((findings.has_fragments && b.plt >= kFragmentsPlateletCeiling) ||
      (findings.has_nrbc && b.nrbc_pct < kNrbcLow)) {
    return false;
  }
  switch (condition) {
    case Condition::ThalassaemiaTrait:
      return b.mcv >= kThalassaemiaMcvLow && b.mcv <= kThalassaemiaMcvHigh &&
             b.mcv / b.rbc < kThalassaemiaMentzerBelow;
    case Condition::IronDeficiency:
      return b.mcv <= kIronDeficiencyMcvHigh && b.mcv / b.rbc > kIronDeficiencyMentzerAbove;
    case Condition::B12FolateDeficiency:
      return b.mcv >= kMacrocyticMcvLow;
    case Condition::ReactiveLymphocytosis:
      return lymphocytes_of(b) >= kReactiveLymphocytesLow;
    case Condition::AcuteLeukaemia:
      return (b.wbc < kLeukaemiaWbcLow || b.wbc > kLeukaemiaWbcHigh) &&
             b.plt < kLeukaemiaPlateletCeiling;
    case Condition::ImmuneThrombocytopenia:
      return b.plt < kImmuneThrombocytopeniaCeiling;
    default:
      return true;
  }
}

void keep_signature(Condition condition, const BloodFindings& findings, BloodCount& b) {
  b.wbc = std::max(b.wbc, 0.1);
  b.plt = std::max(b.plt, 3.0);
  b.mchc = std::min(b.mchc, kTrueMchcCeiling);
  if (findings.has_fragments) {
    b.plt = std::min(b.plt, kFragmentsPlateletCeiling - 1);
  }
  if (findings.has_nrbc) {
    b.nrbc_pct = std::max(b.nrbc_pct, kNrbcLow);
  }
  switch (condition) {
    case Condition::ThalassaemiaTrait:
      b.mcv = std::clamp(b.mcv, kThalassaemiaMcvLow, kThalassaemiaMcvHigh);
      b.rbc = std::max(b.rbc, b.mcv / (kThalassaemiaMentzerBelow - 0.1));
      break;
    case Condition::IronDeficiency:
      b.mcv = std::min(b.mcv, kIronDeficiencyMcvHigh);
      b.rbc = std::min(b.rbc, b.mcv / (kIronDeficiencyMentzerAbove + 0.1));
      break;
    case Condition::B12FolateDeficiency:
      b.mcv = std::max(b.mcv, kMacrocyticMcvLow);
      break;
    case Condition::ReactiveLymphocytosis:
      if (lymphocytes_of(b) < kReactiveLymphocytesLow) {
        b.wbc = kReactiveLymphocytesLow * 100.0 / b.differential[1];
      }
      break;
    case Condition::AcuteLeukaemia:
      if (b.wbc >= kLeukaemiaWbcLow && b.wbc <= kLeukaemiaWbcHigh) {
        b.wbc = b.wbc < 9.0 ? kLeukaemiaWbcLow - 0.01 : kLeukaemiaWbcHigh + 0.01;
      }
      b.plt = std::min(b.plt, kLeukaemiaPlateletCeiling - 1);
      break;
    case Condition::ImmuneThrombocytopenia:
      b.plt = std::min(b.plt, kImmuneThrombocytopeniaCeiling - 1);
      break;
    default:
      break;
  }
  derive_red_cell_indices(b);
}

BloodCount draw_count(Condition condition, const ConditionBlood& c, char sex, int age,
                      const BloodFindings& findings, RandomDraws& draws) {
  BloodCount b;
  // Children under 13: no sex difference in RBC, MCV 6 fL lower (chosen).
  const bool is_man = sex == 'M' && !is_child(age);
  const double mcv_mean = c.mcv - (age < 12 ? 6.0 : 0.0);
  b.mcv = draws.normal(mcv_mean, c.mcv_sd);
  const double rbc_median = is_man ? c.rbc_male : c.rbc_female;
  b.rbc = rbc_median * (mcv_mean / b.mcv) * draws.log_normal(1.0, c.rbc_sigma);
  b.mchc = draw_mchc(c, draws);
  b.rdw_cv = draws.normal(c.rdw_cv, c.rdw_cv_sd);
  if (condition == Condition::IronDeficiency) {
    b.rdw_cv += 0.25 * (c.mcv - b.mcv);  // the smaller the cells, the wider [R18]
  }
  b.rdw_cv = std::clamp(b.rdw_cv, 10.5, 28.0);
  b.rdw_sd = rdw_sd_for(b.rdw_cv, b.mcv, draws);
  b.wbc = draw_wbc(condition, c, draws);
  auto medians = c.differential;
  if (age < 6) {  // young children: more lymphocytes, fewer neutrophils (chosen)
    medians[0] *= 0.7;
    medians[1] *= 1.6;
  }
  b.differential = draw_differential(medians, draws);
  b.ig_pct = draws.log_normal(c.ig, c.ig_sigma);
  b.plt = draw_platelets(condition, c, sex, findings, draws);
  b.mpv = mpv_for(b.plt, c.mpv_shift, draws);
  b.ret_pct = draws.log_normal(c.ret, c.ret_sigma);
  if (findings.has_nrbc) {
    b.nrbc_pct = draws.log_normal(1.5, 0.8);
  } else if (draws.chance(kNrbcNoiseShare)) {
    b.nrbc_pct = draws.uniform(0.1, 0.3);
  }
  derive_red_cell_indices(b);
  return b;
}

}  // namespace

void derive_red_cell_indices(BloodCount& count) {
  count.hct = count.rbc * count.mcv / 10.0;
  count.hgb = count.mchc * count.hct / 100.0;
  count.mch = count.hgb * 10.0 / count.rbc;
}

PatientBlood draw_patient_blood(Condition condition, char sex, int age, RandomDraws& draws) {
  const ConditionBlood& c = blood_of(condition);
  PatientBlood out;
  out.condition = condition;
  out.findings.has_blasts = condition == Condition::AcuteLeukaemia;
  out.findings.has_atypical_lymphocytes = condition == Condition::ReactiveLymphocytosis;
  out.findings.has_nrbc = draws.chance(c.nrbc_share);
  out.findings.has_fragments = draws.chance(c.fragments_share);
  for (int attempt = 0; attempt < 100; ++attempt) {
    out.count = draw_count(condition, c, sex, age, out.findings, draws);
    if (has_signature(condition, out.findings, out.count)) {
      break;
    }
  }
  keep_signature(condition, out.findings, out.count);
  return out;
}

BloodCount within_person_change(const PatientBlood& blood, RandomDraws& draws) {
  BloodCount b = blood.count;
  const auto moved = [&draws](double value, double cv) { return value * draws.log_normal(1, cv); };
  b.rbc = moved(b.rbc, kWithinPerson.rbc);
  b.mcv = moved(b.mcv, kWithinPerson.mcv);
  b.mchc = moved(b.mchc, kWithinPerson.mchc);
  b.wbc = moved(b.wbc, kWithinPerson.wbc);
  b.plt = moved(b.plt, kWithinPerson.plt);
  b.mpv = moved(b.mpv, kWithinPerson.mpv);
  b.rdw_cv = moved(b.rdw_cv, kWithinPerson.rdw);
  b.rdw_sd = moved(b.rdw_sd, kWithinPerson.rdw);
  b.ig_pct = moved(b.ig_pct, kWithinPerson.ig);
  b.ret_pct = moved(b.ret_pct, kWithinPerson.ret);
  if (blood.findings.has_nrbc) {
    b.nrbc_pct = moved(b.nrbc_pct, kWithinPerson.nrbc);
  }
  for (auto& p : b.differential) {
    p = moved(p, kWithinPerson.differential);
  }
  const double sum = std::accumulate(b.differential.begin(), b.differential.end(), 0.0);
  for (auto& p : b.differential) {
    p = p * 100.0 / sum;
  }
  keep_signature(blood.condition, blood.findings, b);
  return b;
}

double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

namespace {

// Percentages in tenths that sum to exactly 1000 tenths: each floored, then the largest
// remainders take the tenths left.
std::array<double, 5> rounded_differential(const std::array<double, 5>& pct) {
  std::array<long, 5> tenths{};
  std::array<std::size_t, 5> order{0, 1, 2, 3, 4};
  long total = 0;
  for (std::size_t i = 0; i < pct.size(); ++i) {
    tenths[i] = static_cast<long>(std::floor(pct[i] * 10.0));
    total += tenths[i];
  }
  const auto remainder = [&](std::size_t i) {
    return pct[i] * 10.0 - static_cast<double>(tenths[i]);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder(a) > remainder(b); });
  for (std::size_t k = 0; total < 1000 && k < order.size(); ++k, ++total) {
    ++tenths[order[k]];
  }
  std::array<double, 5> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<double>(tenths[i]) / 10.0;
  }
  return out;
}

constexpr std::array<const char*, 5> kPercentCodes = {"NEUT_PCT", "LYMPH_PCT", "MONO_PCT", "EO_PCT",
                                                      "BASO_PCT"};
constexpr std::array<const char*, 5> kAbsoluteCodes = {"NEUT_ABS", "LYMPH_ABS", "MONO_ABS",
                                                       "EO_ABS", "BASO_ABS"};

}  // namespace

std::vector<LabValue> blood_count_values(const BloodCount& b, bool with_differential,
                                         bool with_reticulocytes) {
  // Decimals as config/mappings/sysmex-xn.json.
  std::vector<LabValue> out = {
      {"WBC", rounded(b.wbc, 2)},
      {"RBC", rounded(b.rbc, 2)},
      {"HGB", rounded(b.hgb, 1)},
      {"HCT", rounded(b.hct, 1)},
      {"MCV", rounded(b.mcv, 1)},
      {"MCH", rounded(b.mch, 1)},
      {"MCHC", rounded(b.mchc, 1)},
      {"PLT", rounded(b.plt, 0)},
      {"RDW_CV", rounded(b.rdw_cv, 1)},
      {"RDW_SD", rounded(b.rdw_sd, 1)},
      {"MPV", rounded(b.mpv, 1)},
      {"NRBC_PCT", rounded(b.nrbc_pct, 1)},
      {"NRBC_ABS", rounded(b.nrbc_pct * b.wbc / 100.0, 2)},
  };
  if (with_differential) {
    const auto pct = rounded_differential(b.differential);
    for (std::size_t i = 0; i < pct.size(); ++i) {
      out.push_back({kPercentCodes[i], pct[i]});
    }
    for (std::size_t i = 0; i < pct.size(); ++i) {
      out.push_back({kAbsoluteCodes[i], rounded(b.differential[i] * b.wbc / 100.0, 2)});
    }
    out.push_back({"IG_PCT", rounded(b.ig_pct, 1)});
    out.push_back({"IG_ABS", rounded(b.ig_pct * b.wbc / 100.0, 2)});
  }
  if (with_reticulocytes) {
    out.push_back({"RET_PCT", rounded(b.ret_pct, 2)});
    out.push_back({"RET_ABS", rounded(b.ret_pct * b.rbc / 100.0, 4)});
  }
  return out;
}

}  // namespace hemalink::simulate
