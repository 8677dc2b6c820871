#include "server/simulate/case_mix.hpp"

namespace hemalink::simulate {
namespace {

// Patients per care setting: Clinic, Emergency, Ward, IntensiveCare, OncologyClinic,
// OncologyWard. The hospital's tubes come about half from inpatients [R31: 34,827 hospitalised
// vs 33,695 outpatient CBCs]: the ward and ICU repeats make 44 % of the patients half the tubes.
// The shares themselves are chosen.
constexpr Shares<kCareSettings> kHospitalSettings = {0.32, 0.20, 0.33, 0.08, 0.04, 0.03};
constexpr Shares<kCareSettings> kOutpatientSettings = {1, 0, 0, 0, 0, 0};
constexpr Shares<kCareSettings> kOncologySettings = {0, 0, 0, 0.05, 0.65, 0.30};

// Conditions in the order of the enum: Healthy, IronDeficiency, ThalassaemiaTrait,
// B12FolateDeficiency, InfectionLeftShift, ReactiveLymphocytosis, AnaemiaOfIllness, AcuteBleeding,
// CriticalIllness, ChemotherapyCytopenia, AcuteLeukaemia, ImmuneThrombocytopenia.
//
// Clinic: 11.8 % abnormal [R34: 10-20 % of CBCs abnormal]; anaemia 7 % (iron deficiency 4 %,
// anaemia of chronic illness 2.5 %, macrocytic 0.7 %) [R43: 5.6 % of the population anaemic];
// macrocytosis 0.7 % [R44], all of it the B12/folate condition; new acute leukaemia 0.1 %
// (chosen, below [R31]'s 0.28 % of a referral centre's outpatient CBCs); thalassaemia trait 1.5 %,
// infection 2.5 %, reactive lymphocytes 0.4 %, immune thrombocytopenia 0.1 % (chosen).
constexpr Shares<kConditions> kClinic = {0.882, 0.040, 0.015, 0.007, 0.025, 0.004,
                                         0.025, 0,     0,     0,     0.001, 0.001};
// Emergency: infection 20 %, sepsis (critical illness) 7 %, bleeding 5 %, reactive lymphocytes
// 1.5 %, febrile neutropenia after chemotherapy 0.9 % (chosen); new acute leukaemia 0.3 % [R31:
// 0.37 % of hospital CBCs].
constexpr Shares<kConditions> kEmergency = {0.495, 0.05, 0.015, 0.01,  0.20,  0.015,
                                            0.08,  0.05, 0.07,  0.009, 0.003, 0.003};
// Ward: anaemic 49 % [R40: 43.5 %; R41: 64.2 %], most of it the anaemia of illness, microcytic
// (iron deficiency, thalassaemia trait) about a fifth (R40 found 46.5 % microcytic hypochromic:
// chosen lower); infection 17 %, bleeding 3 %; the rest chosen.
constexpr Shares<kConditions> kWard = {0.319, 0.08, 0.01, 0.02, 0.17,  0.005,
                                       0.35,  0.03, 0,    0.01, 0.003, 0.003};
// Intensive care: mostly critical illness (NRBC, thrombocytopenia: blood_count.cpp) (chosen).
constexpr Shares<kConditions> kIntensiveCare = {0.05, 0, 0, 0, 0.10, 0, 0.10, 0.05, 0.70, 0, 0, 0};
// Oncology day clinic and haemato-oncology ward (chosen): patients on chemotherapy, known acute
// leukaemias with blasts.
constexpr Shares<kConditions> kOncologyClinic = {0.25, 0.04, 0, 0.01, 0.04, 0,
                                                 0.15, 0,    0, 0.45, 0.05, 0.01};
constexpr Shares<kConditions> kOncologyWard = {0, 0, 0, 0, 0.15, 0, 0.15, 0, 0.05, 0.45, 0.20, 0};

// Coagulation, in the order of the enum: Normal, Warfarin, Heparin, LiverDisease, Dic. The share
// of warfarin and heparin patients among the requests was not found [sources §5]: chosen. DIC in
// ICU: 15 % (overt DIC in 29 % of septic ICU patients [R94], about half the ICU's coagulation
// patients septic (chosen)); on the wards 2 % (about 1 % of admissions [R93], more among those
// with a coagulation screen).
constexpr Shares<kCoagulationConditions> kClinicCoagulation = {0.45, 0.50, 0, 0.05, 0};
constexpr Shares<kCoagulationConditions> kEmergencyCoagulation = {0.75, 0.15, 0.02, 0.07, 0.01};
constexpr Shares<kCoagulationConditions> kWardCoagulation = {0.55, 0.20, 0.15, 0.08, 0.02};
constexpr Shares<kCoagulationConditions> kIntensiveCareCoagulation = {0.40, 0.05, 0.30, 0.10, 0.15};
constexpr Shares<kCoagulationConditions> kOncologyClinicCoagulation = {0.80, 0.05, 0.05, 0.08,
                                                                       0.02};
constexpr Shares<kCoagulationConditions> kOncologyWardCoagulation = {0.65, 0.05, 0.10, 0.10, 0.10};

// Names and tables in the order of the enums.
constexpr std::array<std::string_view, kCareSettings> kSettingNames = {
    "clinic", "emergency", "ward", "intensive-care", "oncology-clinic", "oncology-ward"};
constexpr std::array<std::string_view, kConditions> kConditionNames = {"healthy",
                                                                       "iron-deficiency",
                                                                       "thalassaemia-trait",
                                                                       "b12-folate-deficiency",
                                                                       "infection-left-shift",
                                                                       "reactive-lymphocytosis",
                                                                       "anaemia-of-illness",
                                                                       "acute-bleeding",
                                                                       "critical-illness",
                                                                       "chemotherapy-cytopenia",
                                                                       "acute-leukaemia",
                                                                       "immune-thrombocytopenia"};
constexpr std::array<std::string_view, kCoagulationConditions> kCoagulationNames = {
    "normal-coagulation", "warfarin", "heparin", "liver-disease", "dic"};
constexpr std::array<const Shares<kConditions>*, kCareSettings> kConditionsBySetting = {
    &kClinic, &kEmergency, &kWard, &kIntensiveCare, &kOncologyClinic, &kOncologyWard};
constexpr std::array<const Shares<kCoagulationConditions>*, kCareSettings> kCoagulationBySetting = {
    &kClinicCoagulation,        &kEmergencyCoagulation,      &kWardCoagulation,
    &kIntensiveCareCoagulation, &kOncologyClinicCoagulation, &kOncologyWardCoagulation};

}  // namespace

std::string_view name_of(CareSetting setting) {
  return kSettingNames[static_cast<std::size_t>(setting)];
}

std::string_view name_of(Condition condition) {
  return kConditionNames[static_cast<std::size_t>(condition)];
}

std::string_view name_of(CoagulationCondition condition) {
  return kCoagulationNames[static_cast<std::size_t>(condition)];
}

bool is_inpatient(CareSetting setting) {
  return setting == CareSetting::Ward || setting == CareSetting::IntensiveCare ||
         setting == CareSetting::OncologyWard;
}

const Shares<kCareSettings>& setting_shares(LabProfile profile) {
  switch (profile) {
    case LabProfile::Hospital:
      return kHospitalSettings;
    case LabProfile::Outpatient:
      return kOutpatientSettings;
    case LabProfile::Oncology:
      return kOncologySettings;
  }
  return kHospitalSettings;
}

const Shares<kConditions>& condition_shares(CareSetting setting) {
  return *kConditionsBySetting[static_cast<std::size_t>(setting)];
}

const Shares<kCoagulationConditions>& coagulation_shares(CareSetting setting) {
  return *kCoagulationBySetting[static_cast<std::size_t>(setting)];
}

// Of tubes (chosen): a hospital ~75/20/5, outpatients ~85/12/3, a cancer centre mostly blood
// counts.
BenchShares bench_shares(LabProfile profile) {
  switch (profile) {
    case LabProfile::Hospital:
      return {0.75, 0.20, 0.05};
    case LabProfile::Outpatient:
      return {0.85, 0.12, 0.03};
    case LabProfile::Oncology:
      return {0.90, 0.08, 0.02};
  }
  return {0.75, 0.20, 0.05};
}

// CD4 counts are chiefly HIV monitoring (chosen).
double hiv_share(LabProfile profile) {
  switch (profile) {
    case LabProfile::Hospital:
      return 0.5;
    case LabProfile::Outpatient:
      return 0.7;
    case LabProfile::Oncology:
      return 0.1;
  }
  return 0.5;
}

// Children 1-17 in the hospital's emergency department and wards (chosen); no infants: the
// shipped rules hold every infant's count.
double child_share(CareSetting setting) {
  switch (setting) {
    case CareSetting::Emergency:
      return 0.08;
    case CareSetting::Ward:
      return 0.05;
    default:
      return 0;
  }
}

}  // namespace hemalink::simulate
