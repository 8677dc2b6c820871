#pragma once

#include <string_view>

#include "server/simulate/blood_count.hpp"
#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// What happened to an EDTA tube between the vein and the analyzer, or (a cold agglutinin) what
/// the patient's blood does to every tube of theirs.
enum class Artefact { None, PlateletClumps, ColdAgglutinin, Lipaemia, Haemolysis, ClottedTube };

std::string_view name_of(Artefact artefact);

/// Of EDTA tubes, the share with each artefact that changes the count.
struct ArtefactShares {
  double platelet_clumps = 0;
  double lipaemia = 0;
  double haemolysis = 0;
  double clotted_tube = 0;
};
ArtefactShares artefact_shares(bool is_inpatient);

/// Of patients, the share with a cold agglutinin (it shows in each of their tubes).
inline constexpr double kColdAgglutininShare = 0.0005;  // (chosen: not found [sources §3.2])

Artefact draw_tube_artefact(bool is_inpatient, RandomDraws& draws);

/// What the XN counts in a tube of `blood` with `artefact`; the identities still hold (the XN
/// derives HCT, MCH and MCHC from what it counts).
BloodCount as_measured(const BloodCount& blood, Artefact artefact, RandomDraws& draws);

/// Every artefact's count has MCHC at least this (cold agglutinin, lipaemia, haemolysis) or a
/// platelet count below kArtefactPlateletCeiling (clumps, clot): a signal a rule can see.
inline constexpr double kArtefactMchcFloor = 36.5;
inline constexpr double kArtefactPlateletCeiling = 100.0;

}  // namespace hemalink::simulate
