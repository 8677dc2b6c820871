#include "server/simulate/lab_day.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "server/simulate/analyzer_messages.hpp"
#include "server/simulate/blood_count.hpp"
#include "server/simulate/case_mix.hpp"
#include "server/simulate/coagulation_values.hpp"
#include "server/simulate/lymphocyte_subsets.hpp"
#include "server/simulate/random_draws.hpp"
#include "server/simulate/specimen_artefacts.hpp"

namespace hemalink::simulate {
namespace {

constexpr int kDayMinutes = 24 * 60;
// Ages are reckoned on this day, so an age drawn 1 or more stays 1 or more on any later day.
constexpr std::chrono::year_month_day kReferenceDay{std::chrono::year{2026} / 7 / 1};

// Inpatients' repeat counts: 1.37 CBC per patient-day on a medical ward [R37]: a second tube in
// 33 %, a third in 12 % of those. ICU: every 6-12 hours, up to 3 in the day (chosen).
constexpr double kWardSecondCount = 0.33;
constexpr double kWardThirdCount = 0.12;
constexpr int kMaxCountsPerDay = 3;
// The hematology tubes per intensive-care patient the day holds on average (chosen, to share the
// benches out by tube).
constexpr double kIntensiveCareCountsPerDay = 2.0;
// Of repeat hematology tubes, the share holding another patient's blood (chosen).
constexpr double kSwappedTubeShare = 0.003;
// A swap a delta check can see: the donor's MCV at least this far from the patient's last one
// (within-person CV of MCV 0.31-0.37 % [R14], so 3 fL is about 10 SD).
constexpr double kSwapMcvDifference = 3.0;
// Critical values a lab calls at once: HGB <= 7, WBC <= 2 or >= 100 [R56], PLT < 20 (the shipped
// rules' CAP figure), WBC > 50 (chosen between R55 and R56); on a patient's first count of the
// day also [R55]: WBC > 30, neutrophils < 1.0, PLT < 50, HGB < 7.5. And a new leukopenia: a first
// count's WBC below 3.0 (chosen) goes to a smear.
constexpr double kCriticalHgbBelow = 7.0;
constexpr double kCriticalPltBelow = 20.0;
constexpr double kCriticalWbcBelow = 2.0;
constexpr double kCriticalWbcAbove = 50.0;
constexpr double kNewCriticalWbcAbove = 30.0;
constexpr double kNewCriticalNeutrophilsBelow = 1.0;
constexpr double kNewCriticalPltBelow = 50.0;
constexpr double kNewCriticalHgbBelow = 7.5;
constexpr double kNewLeukopeniaBelow = 3.0;
constexpr double kSmearIgPct = 5.0;           // IG smear threshold raised from 2 % to 5 % [R36]
constexpr double kCriticalInrAbove = 5.0;     // INR >= 5.0 [R51], > 5 [R55]
constexpr double kCriticalApttAbove = 100.0;  // (chosen: a heparin patient's APTT runs to 90 s)

constexpr std::array<const char*, 40> kFamilyNames = {
    "Adams", "Baker",   "Berg",   "Brandt", "Carter", "Costa",  "Dahl",    "Diaz",
    "Evans", "Fischer", "Foster", "Garcia", "Hansen", "Hughes", "Ivanova", "Jensen",
    "Kaur",  "Keller",  "Larsen", "Lopez",  "Martin", "Meyer",  "Moreau",  "Nguyen",
    "Novak", "Olsen",   "Patel",  "Perez",  "Quinn",  "Rossi",  "Santos",  "Schmidt",
    "Silva", "Smith",   "Tanaka", "Torres", "Varga",  "Walker", "Weber",   "Young"};
constexpr std::array<const char*, 20> kFemaleNames = {
    "Anna",  "Beatriz", "Clara", "Dina", "Elena", "Fatima", "Grace", "Hanna", "Ines",  "Julia",
    "Karin", "Laura",   "Maria", "Nora", "Olga",  "Paula",  "Rosa",  "Sara",  "Tessa", "Vera"};
constexpr std::array<const char*, 20> kMaleNames = {
    "Adam", "Bruno", "Carlos", "David", "Erik",  "Felix", "Georg",  "Hugo",  "Ivan",  "Jonas",
    "Karl", "Lars",  "Marco",  "Nils",  "Oscar", "Pavel", "Rafael", "Simon", "Tomas", "Viktor"};

struct AgeShape {
  double mean;
  double sd;
  int oldest;
};

// Adults' ages (chosen; outpatients 50 +/- 24 [R82]).
AgeShape adult_ages(CareSetting setting) {
  switch (setting) {
    case CareSetting::Clinic:
      return {50, 24, 95};
    case CareSetting::Emergency:
      return {55, 20, 99};
    case CareSetting::Ward:
      return {66, 16, 100};
    case CareSetting::IntensiveCare:
      return {63, 15, 95};
    case CareSetting::OncologyClinic:
    case CareSetting::OncologyWard:
      return {62, 13, 95};
  }
  return {50, 24, 95};
}

int draw_age(CareSetting setting, RandomDraws& draws) {
  if (draws.chance(child_share(setting))) {
    return draws.integer(1, 17);
  }
  const AgeShape shape = adult_ages(setting);
  for (int i = 0; i < 20; ++i) {
    const double age = draws.normal(shape.mean, shape.sd);
    if (age >= 18 && age < shape.oldest + 1) {
      return static_cast<int>(age);
    }
  }
  return static_cast<int>(shape.mean);
}

std::string birth_date(int age, RandomDraws& draws) {
  using namespace std::chrono;
  const year_month_day birthday{kReferenceDay.year() - years{age}, kReferenceDay.month(),
                                kReferenceDay.day()};
  const year_month_day born{sys_days{birthday} - days{draws.integer(1, 364)}};
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(born.year()),
                     static_cast<unsigned>(born.month()), static_cast<unsigned>(born.day()));
}

std::string location_of(CareSetting setting, RandomDraws& draws) {
  switch (setting) {
    case CareSetting::Clinic:
      return "OPD";
    case CareSetting::Emergency:
      return "ED";
    case CareSetting::Ward:
      return fmt::format("WARD{}", draws.integer(1, 4));
    case CareSetting::IntensiveCare:
      return "ICU";
    case CareSetting::OncologyClinic:
      return "ONC";
    case CareSetting::OncologyWard:
      return fmt::format("WARD{}", draws.integer(5, 6));
  }
  return "OPD";
}

// STAT requests (chosen).
double stat_share(CareSetting setting) {
  switch (setting) {
    case CareSetting::Emergency:
      return 0.9;
    case CareSetting::IntensiveCare:
      return 0.7;
    case CareSetting::Ward:
    case CareSetting::OncologyWard:
      return 0.1;
    default:
      return 0;
  }
}

// When the first tube is drawn (chosen): ward rounds 05:00-08:00, clinics 08:00-17:00 with a
// morning peak, the ED and ICU all day (the ED busier 09:00-21:00, the ICU's rounds 04:00-06:00).
int first_minute(CareSetting setting, RandomDraws& draws) {
  const auto between = [&draws](int from_hour, int to_hour) {
    return static_cast<int>(draws.uniform(from_hour * 60.0, to_hour * 60.0));
  };
  switch (setting) {
    case CareSetting::Clinic:
    case CareSetting::OncologyClinic:
      return draws.chance(0.6) ? between(8, 12) : between(12, 17);
    case CareSetting::Emergency:
      return draws.chance(0.65) ? between(9, 21) : between(0, 24);
    case CareSetting::Ward:
    case CareSetting::OncologyWard:
      return draws.chance(0.75) ? between(5, 8) : between(8, 22);
    case CareSetting::IntensiveCare:
      return draws.chance(0.4) ? between(4, 6) : between(0, 24);
  }
  return between(8, 17);
}

// The minutes of a hematology patient's tubes in the day: the first, then the repeats.
std::vector<int> count_minutes(CareSetting setting, RandomDraws& draws) {
  std::vector<int> minutes{first_minute(setting, draws)};
  if (setting == CareSetting::IntensiveCare) {
    while (minutes.size() < kMaxCountsPerDay) {
      const int next = minutes.back() + static_cast<int>(draws.uniform(360, 720));
      if (next >= kDayMinutes) {
        break;
      }
      minutes.push_back(next);
    }
  } else if (is_inpatient(setting) && draws.chance(kWardSecondCount)) {
    const int repeats = draws.chance(kWardThirdCount) ? 2 : 1;
    for (int i = 0; i < repeats; ++i) {
      const int next = minutes.back() + static_cast<int>(draws.uniform(360, 840));
      if (next >= kDayMinutes) {
        break;
      }
      minutes.push_back(next);
    }
  }
  return minutes;
}

// The first tube's bench, weighted so that the tubes (repeats included) share out as
// bench_shares says.
Bench draw_bench(LabProfile profile, RandomDraws& draws) {
  const auto& settings = setting_shares(profile);
  double counts_per_patient = 0;
  for (std::size_t s = 0; s < kCareSettings; ++s) {
    const auto setting = static_cast<CareSetting>(s);
    const double counts = setting == CareSetting::IntensiveCare ? kIntensiveCareCountsPerDay
                          : is_inpatient(setting) ? 1 + kWardSecondCount * (1 + kWardThirdCount)
                                                  : 1.0;
    counts_per_patient += settings[s] * counts;
  }
  const BenchShares b = bench_shares(profile);
  const std::array<double, 3> weights = {b.hematology / counts_per_patient, b.coagulation, b.flow};
  return static_cast<Bench>(draws.pick(weights));
}

FlagBackground background_of(CareSetting setting, Condition condition) {
  switch (setting) {
    case CareSetting::Clinic:
      return condition == Condition::Healthy ? FlagBackground::HealthyOutpatient
                                             : FlagBackground::Outpatient;
    case CareSetting::Emergency:
    case CareSetting::Ward:
      return FlagBackground::Hospital;
    case CareSetting::IntensiveCare:
      return FlagBackground::IntensiveCare;
    case CareSetting::OncologyClinic:
    case CareSetting::OncologyWard:
      return FlagBackground::Oncology;
  }
  return FlagBackground::Hospital;
}

// A patient as the generator knows them.
struct PatientModel {
  CareSetting setting = CareSetting::Clinic;
  int age = 0;
  Bench bench = Bench::Hematology;
  PatientBlood blood;
  bool has_cold_agglutinin = false;
  CoagulationCondition coagulation = CoagulationCondition::Normal;
  bool has_hiv = false;
  // Filled as the day's tubes are measured, in order.
  bool has_earlier_count = false;
  bool has_had_nrbc = false;
  double last_mcv = 0;
};

struct TubePlan {
  std::size_t patient = 0;
  Bench bench = Bench::Hematology;
  int minute = 0;
  bool is_repeat = false;
};

LabPatient draw_patient(const LabDayPlan& plan, std::size_t number, PatientModel& model,
                        RandomDraws& draws) {
  LabPatient p;
  p.id = fmt::format("P{:03}{:05}", plan.seed % 1000, number);
  const double female_share = model.setting == CareSetting::Clinic ? 0.55 : 0.5;  // (chosen)
  p.sex = draws.chance(female_share) ? 'F' : 'M';
  model.age = draw_age(model.setting, draws);
  p.birth_date = birth_date(model.age, draws);
  p.family_name = kFamilyNames[static_cast<std::size_t>(
      draws.integer(0, static_cast<int>(kFamilyNames.size()) - 1))];
  const auto& given = p.sex == 'F' ? kFemaleNames : kMaleNames;
  p.given_name =
      given[static_cast<std::size_t>(draws.integer(0, static_cast<int>(given.size()) - 1))];
  p.location = location_of(model.setting, draws);
  p.is_inpatient = is_inpatient(model.setting);
  return p;
}

// What the patient's visit brings to the lab, in tubes.
std::vector<TubePlan> draw_visit(const LabDayPlan& plan, std::size_t index, PatientModel& model,
                                 char sex, RandomDraws& draws) {
  model.bench = draw_bench(plan.profile, draws);
  switch (model.bench) {
    case Bench::Hematology: {
      const auto condition = static_cast<Condition>(draws.pick(condition_shares(model.setting)));
      model.blood = draw_patient_blood(condition, sex, model.age, draws);
      model.has_cold_agglutinin = draws.chance(kColdAgglutininShare);
      std::vector<TubePlan> tubes;
      for (const int minute : count_minutes(model.setting, draws)) {
        tubes.push_back({index, Bench::Hematology, minute, !tubes.empty()});
      }
      return tubes;
    }
    case Bench::Coagulation:
      model.coagulation =
          static_cast<CoagulationCondition>(draws.pick(coagulation_shares(model.setting)));
      break;
    case Bench::Flow:
      model.has_hiv = draws.chance(hiv_share(plan.profile));
      break;
  }
  return {{index, model.bench, first_minute(model.setting, draws), false}};
}

std::string joined(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& r : reasons) {
    out += out.empty() ? r : "; " + r;
  }
  return out;
}

SpecimenTruth truth_of(std::string condition, const std::vector<std::string>& reasons) {
  return {std::move(condition), !reasons.empty(), joined(reasons)};
}

std::string artefact_reason(Artefact artefact) {
  switch (artefact) {
    case Artefact::None:
      return {};
    case Artefact::PlateletClumps:
      return "platelet clumps: PLT falsely low, check the smear and recollect in citrate";
    case Artefact::ColdAgglutinin:
      return "cold agglutinin: RBC and HCT falsely low, MCV and MCHC high, warm to 37 C and rerun";
    case Artefact::Lipaemia:
      return "lipaemia: HGB, MCH and MCHC falsely high, correct HGB before release";
    case Artefact::Haemolysis:
      return "in-vitro haemolysis: RBC and HCT falsely low, MCHC high, recollect";
    case Artefact::ClottedTube:
      return "clotted EDTA tube: PLT falsely low, recollect";
  }
  return {};
}

// One patient's blood in this tube: theirs, or (swapped) another patient's.
struct TubeBlood {
  const PatientBlood* blood = nullptr;
  BloodCount count;
  bool is_swapped = false;
};

TubeBlood blood_in_tube(const TubePlan& tube, std::vector<PatientModel>& models,
                        RandomDraws& draws) {
  PatientModel& own = models[tube.patient];
  if (!tube.is_repeat) {
    return {&own.blood, own.blood.count, false};
  }
  if (draws.chance(kSwappedTubeShare)) {
    const auto start =
        static_cast<std::size_t>(draws.integer(0, static_cast<int>(models.size()) - 1));
    for (std::size_t k = 0; k < models.size(); ++k) {
      const std::size_t other = (start + k) % models.size();
      if (other == tube.patient || models[other].bench != Bench::Hematology) {
        continue;
      }
      BloodCount count = within_person_change(models[other].blood, draws);
      if (std::abs(count.mcv - own.last_mcv) >= kSwapMcvDifference) {
        return {&models[other].blood, count, true};
      }
    }
  }
  return {&own.blood, within_person_change(own.blood, draws), false};
}

struct CountOrders {
  bool with_differential = false;
  bool with_reticulocytes = false;
};

// (chosen) The differential on 70 % of simple counts and on every other; reticulocytes on 30 % of
// anaemia work-ups, 3 % of the rest.
CountOrders order_count(Condition condition, RandomDraws& draws) {
  using enum Condition;
  const bool is_simple = condition == Healthy || condition == IronDeficiency ||
                         condition == ThalassaemiaTrait || condition == B12FolateDeficiency;
  const bool is_anaemia_work_up = condition == IronDeficiency || condition == ThalassaemiaTrait ||
                                  condition == B12FolateDeficiency ||
                                  condition == AnaemiaOfIllness || condition == AcuteBleeding;
  CountOrders orders;
  orders.with_differential = !is_simple || draws.chance(0.7);
  orders.with_reticulocytes = draws.chance(is_anaemia_work_up ? 0.3 : 0.03);
  return orders;
}

MessageCauses causes_of(const PatientBlood& blood, const BloodCount& count, Artefact artefact) {
  MessageCauses causes;
  causes.has_blasts = blood.findings.has_blasts;
  causes.has_atypical_lymphocytes = blood.findings.has_atypical_lymphocytes;
  causes.has_nrbc = blood.findings.has_nrbc;
  causes.has_fragments = blood.findings.has_fragments;
  causes.is_iron_deficient = blood.condition == Condition::IronDeficiency;
  causes.is_thalassaemia_trait = blood.condition == Condition::ThalassaemiaTrait;
  causes.has_cold_agglutinin = artefact == Artefact::ColdAgglutinin;
  causes.is_lipaemic = artefact == Artefact::Lipaemia;
  causes.is_haemolysed = artefact == Artefact::Haemolysis;
  causes.has_platelet_clumps = artefact == Artefact::PlateletClumps;
  causes.is_clotted = artefact == Artefact::ClottedTube;
  causes.ig_pct = count.ig_pct;
  return causes;
}

// What the lab knows of the patient before this tube, and what the tube holds.
struct CountHistory {
  bool is_first_count = true;
  bool has_had_nrbc = false;
};

// A critical value: a lab confirms it and phones it.
std::string critical(std::string_view what, double value, int decimals, std::string_view units) {
  return fmt::format("critical {} {:.{}f} {}: confirm and call", what, value, decimals, units);
}

// Why a person must look at a count, from the blood itself (never from a rule).
std::vector<std::string> count_review_reasons(const PatientBlood& blood, const BloodCount& truly,
                                              const CountHistory& history,
                                              const CountOrders& orders) {
  std::vector<std::string> reasons;
  if (blood.findings.has_blasts) {
    reasons.push_back("blasts in the blood: smear review");
  }
  if (blood.findings.has_atypical_lymphocytes) {
    reasons.push_back("atypical lymphocytes: smear review");
  }
  if (const double ig = rounded(truly.ig_pct, 1); orders.with_differential && ig >= kSmearIgPct) {
    reasons.push_back(
        fmt::format("immature granulocytes {:.1f} %: manual differential on a smear", ig));
  }
  const double hgb = rounded(truly.hgb, 1);
  const double plt = rounded(truly.plt, 0);
  const double wbc = rounded(truly.wbc, 2);
  const double neutrophils = rounded(truly.differential[0] * truly.wbc / 100.0, 2);
  if (hgb < kCriticalHgbBelow || (history.is_first_count && hgb < kNewCriticalHgbBelow)) {
    reasons.push_back(critical("HGB", hgb, 1, "g/dL"));
  }
  if (plt < kCriticalPltBelow || (history.is_first_count && plt < kNewCriticalPltBelow)) {
    reasons.push_back(critical("PLT", plt, 0, "x10^3/uL"));
  }
  if (wbc < kCriticalWbcBelow || wbc > kCriticalWbcAbove ||
      (history.is_first_count && wbc > kNewCriticalWbcAbove)) {
    reasons.push_back(critical("WBC", wbc, 2, "x10^3/uL"));
  }
  if (orders.with_differential && history.is_first_count &&
      neutrophils < kNewCriticalNeutrophilsBelow) {
    reasons.push_back(critical("neutrophils", neutrophils, 2, "x10^3/uL"));
  }
  if (blood.findings.has_fragments && history.is_first_count) {
    reasons.push_back("red cell fragments: smear review for a microangiopathy");
  }
  if (blood.findings.has_nrbc && !history.has_had_nrbc) {
    reasons.push_back(fmt::format("NRBC {:.1f} /100 WBC, the first in this patient: smear review",
                                  rounded(truly.nrbc_pct, 1)));
  }
  if (history.is_first_count && wbc < kNewLeukopeniaBelow) {
    reasons.push_back(fmt::format(
        "new leukopenia: WBC {:.2f} x10^3/uL with no earlier count: smear review", wbc));
  }
  return reasons;
}

void measure_count(LabSpecimen& s, const TubePlan& tube, std::vector<PatientModel>& models,
                   RandomDraws& draws) {
  PatientModel& patient = models[tube.patient];
  const TubeBlood in_tube = blood_in_tube(tube, models, draws);
  const PatientBlood& blood = *in_tube.blood;
  const CountOrders orders = order_count(blood.condition, draws);
  s.ordered = {"FBC"};
  if (orders.with_differential) {
    s.ordered.push_back("DIFF");
  }
  if (orders.with_reticulocytes) {
    s.ordered.push_back("RETIC");
  }
  const Artefact artefact = patient.has_cold_agglutinin && !in_tube.is_swapped
                                ? Artefact::ColdAgglutinin
                                : draw_tube_artefact(is_inpatient(patient.setting), draws);
  const BloodCount measured = as_measured(in_tube.count, artefact, draws);
  s.results = blood_count_values(measured, orders.with_differential, orders.with_reticulocytes);
  s.messages = analyzer_messages(causes_of(blood, in_tube.count, artefact),
                                 background_of(patient.setting, blood.condition), s.results,
                                 orders.with_differential, draws);

  const CountHistory history{!patient.has_earlier_count, patient.has_had_nrbc};
  std::vector<std::string> reasons;
  if (in_tube.is_swapped) {
    reasons.push_back("swapped tube: values of another patient");
  }
  if (artefact != Artefact::None) {
    reasons.push_back(artefact_reason(artefact));
  }
  for (auto& r : count_review_reasons(blood, in_tube.count, history, orders)) {
    reasons.push_back(std::move(r));
  }
  std::string name =
      in_tube.is_swapped ? std::string("swapped-tube") : std::string(name_of(blood.condition));
  if (artefact != Artefact::None) {
    name += fmt::format("+{}", name_of(artefact));
  }
  s.truth = truth_of(std::move(name), reasons);

  patient.has_earlier_count = true;
  patient.has_had_nrbc = patient.has_had_nrbc || blood.findings.has_nrbc;
  if (!in_tube.is_swapped) {
    patient.last_mcv = value_of(s.results, "MCV").value_or(patient.last_mcv);
  }
}

void measure_coagulation(LabSpecimen& s, const PatientModel& patient, RandomDraws& draws) {
  const auto condition = patient.coagulation;
  const bool is_ward_or_icu =
      patient.setting == CareSetting::Ward || patient.setting == CareSetting::IntensiveCare;
  // Orders (chosen): fibrinogen for liver disease, DIC and 20 % of ward and ICU screens; D-dimer
  // for DIC and 10 % of the ED's screens.
  const bool with_fibrinogen = condition == CoagulationCondition::LiverDisease ||
                               condition == CoagulationCondition::Dic ||
                               (is_ward_or_icu && draws.chance(0.2));
  const bool with_ddimer = condition == CoagulationCondition::Dic ||
                           (patient.setting == CareSetting::Emergency && draws.chance(0.1));
  s.ordered = {"COAG"};
  if (with_fibrinogen) {
    s.ordered.push_back("FIB");
  }
  if (with_ddimer) {
    s.ordered.push_back("DDIMER");
  }
  const Coagulation truly = draw_coagulation(condition, patient.age, draws);
  const CitrateTubeProblem problem = draw_citrate_problem(is_inpatient(patient.setting), draws);
  s.results = coagulation_values(as_measured(truly, problem, draws), with_fibrinogen, with_ddimer);
  s.sample_check_failed = problem != CitrateTubeProblem::None;

  std::vector<std::string> reasons;
  if (problem != CitrateTubeProblem::None) {
    reasons.push_back(problem == CitrateTubeProblem::UnderFilled
                          ? "under-filled citrate tube: times falsely long, recollect"
                          : "clotted citrate tube: recollect");
  }
  if (condition == CoagulationCondition::Dic) {
    reasons.push_back(fmt::format(
        "DIC: fibrinogen {:.2f} g/L, D-dimer {:.2f} ug/mL FEU, PT and APTT long: call the ward",
        rounded(truly.fib, 2), rounded(truly.ddimer, 2)));
  }
  if (const double inr = rounded(truly.inr, 2); inr > kCriticalInrAbove) {
    reasons.push_back(fmt::format("critical INR {:.2f}: confirm and call", inr));
  }
  if (const double aptt = rounded(truly.aptt, 1); aptt > kCriticalApttAbove) {
    reasons.push_back(fmt::format("critical APTT {:.1f} s: confirm and call", aptt));
  }
  std::string name(name_of(condition));
  if (problem != CitrateTubeProblem::None) {
    name += fmt::format("+{}", name_of(problem));
  }
  s.truth = truth_of(std::move(name), reasons);
}

void measure_subsets(LabSpecimen& s, const LabPatient& patient, const PatientModel& model,
                     RandomDraws& draws) {
  s.ordered = {"LSUB"};
  s.results = lymphocyte_subset_values(draw_lymphocyte_subsets(patient.sex, model.has_hiv, draws));
  s.truth = truth_of(model.has_hiv ? "hiv" : "normal-lymphocyte-subsets", {});
}

// Hematology and coagulation controls at the day's start and every 8 hours, before the first
// tube drawn from then on.
std::vector<LabQcRun> control_runs(const LabDay& day) {
  std::vector<LabQcRun> runs;
  if (day.specimens.empty()) {
    return runs;
  }
  std::size_t hematology_runs = 0;
  for (int minute = 0; minute < kDayMinutes; minute += 8 * 60) {
    const auto first =
        std::find_if(day.specimens.begin(), day.specimens.end(),
                     [minute](const LabSpecimen& s) { return s.drawn_minute >= minute; });
    const auto before = static_cast<std::size_t>(first - day.specimens.begin());
    ++hematology_runs;
    runs.push_back({Bench::Hematology, before, minute, hematology_runs == day.plan.qc_fail_run});
    runs.push_back({Bench::Coagulation, before, minute, false});
  }
  return runs;
}

}  // namespace

std::optional<double> value_of(const std::vector<LabValue>& values, std::string_view code) {
  for (const auto& v : values) {
    if (v.code == code) {
      return v.value;
    }
  }
  return std::nullopt;
}

std::optional<LabProfile> lab_profile_from_name(std::string_view name) {
  for (const auto profile : {LabProfile::Hospital, LabProfile::Outpatient, LabProfile::Oncology}) {
    if (name == name_of(profile)) {
      return profile;
    }
  }
  return std::nullopt;
}

std::string_view name_of(LabProfile profile) {
  switch (profile) {
    case LabProfile::Hospital:
      return "hospital";
    case LabProfile::Outpatient:
      return "outpatient";
    case LabProfile::Oncology:
      return "oncology";
  }
  return "hospital";
}

LabDay generate_lab_day(const LabDayPlan& plan) {
  RandomDraws draws(plan.seed);
  LabDay day;
  day.plan = plan;
  std::vector<PatientModel> models;
  std::vector<TubePlan> tubes;
  while (tubes.size() < plan.specimens) {
    PatientModel model;
    model.setting = static_cast<CareSetting>(draws.pick(setting_shares(plan.profile)));
    LabPatient patient = draw_patient(plan, models.size() + 1, model, draws);
    auto visit = draw_visit(plan, models.size(), model, patient.sex, draws);
    visit.resize(std::min(visit.size(), plan.specimens - tubes.size()));  // the latest go
    tubes.insert(tubes.end(), visit.begin(), visit.end());
    day.patients.push_back(std::move(patient));
    models.push_back(std::move(model));
  }
  std::stable_sort(tubes.begin(), tubes.end(),
                   [](const TubePlan& a, const TubePlan& b) { return a.minute < b.minute; });
  for (std::size_t i = 0; i < tubes.size(); ++i) {
    const TubePlan& tube = tubes[i];
    LabSpecimen s;
    s.id = fmt::format("{:03}{:07}", plan.seed % 1000, i + 1);
    s.patient = tube.patient;
    s.bench = tube.bench;
    s.drawn_minute = tube.minute;
    s.is_stat = draws.chance(stat_share(models[tube.patient].setting));
    switch (tube.bench) {
      case Bench::Hematology:
        measure_count(s, tube, models, draws);
        break;
      case Bench::Coagulation:
        measure_coagulation(s, models[tube.patient], draws);
        break;
      case Bench::Flow:
        measure_subsets(s, day.patients[tube.patient], models[tube.patient], draws);
        break;
    }
    day.specimens.push_back(std::move(s));
  }
  day.qc_runs = control_runs(day);
  return day;
}

std::string truth_line(const LabDay& day, const LabSpecimen& specimen) {
  const nlohmann::ordered_json line = {
      {"specimen_id", specimen.id},
      {"profile", std::string(name_of(day.plan.profile))},
      {"condition", specimen.truth.condition},
      {"must_review", specimen.truth.must_review},
      {"why", specimen.truth.why},
  };
  return line.dump();
}

}  // namespace hemalink::simulate
