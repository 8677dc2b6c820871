#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "server/simulate/lab_day.hpp"

namespace hemalink::simulate {

/// Where a patient is seen: it gives the location, inpatient or not, the age, when the tubes are
/// drawn and the odds of each condition.
enum class CareSetting { Clinic, Emergency, Ward, IntensiveCare, OncologyClinic, OncologyWard };
inline constexpr std::size_t kCareSettings = 6;

/// What a patient's blood has: it decides the distributions of the blood count.
enum class Condition {
  Healthy,
  IronDeficiency,
  ThalassaemiaTrait,
  B12FolateDeficiency,
  InfectionLeftShift,
  ReactiveLymphocytosis,
  AnaemiaOfIllness,
  AcuteBleeding,
  CriticalIllness,
  ChemotherapyCytopenia,
  AcuteLeukaemia,
  ImmuneThrombocytopenia,
};
inline constexpr std::size_t kConditions = 12;

/// What a patient's coagulation has.
enum class CoagulationCondition { Normal, Warfarin, Heparin, LiverDisease, Dic };
inline constexpr std::size_t kCoagulationConditions = 5;

template <std::size_t N>
using Shares = std::array<double, N>;

std::string_view name_of(CareSetting setting);
std::string_view name_of(Condition condition);
std::string_view name_of(CoagulationCondition condition);

bool is_inpatient(CareSetting setting);

/// Of a profile's patients, the share seen in each care setting.
const Shares<kCareSettings>& setting_shares(LabProfile profile);
/// Of a care setting's hematology patients, the share with each condition.
const Shares<kConditions>& condition_shares(CareSetting setting);
/// Of a care setting's coagulation patients, the share with each condition.
const Shares<kCoagulationConditions>& coagulation_shares(CareSetting setting);

/// Of a profile's tubes, the share each bench measures.
struct BenchShares {
  double hematology = 0;
  double coagulation = 0;
  double flow = 0;
};
BenchShares bench_shares(LabProfile profile);

/// Of a profile's lymphocyte-subset patients, the share with HIV.
double hiv_share(LabProfile profile);
/// Of a care setting's patients, the share aged 1-17.
double child_share(CareSetting setting);

}  // namespace hemalink::simulate
