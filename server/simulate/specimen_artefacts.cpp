#include "server/simulate/specimen_artefacts.hpp"

#include <algorithm>

namespace hemalink::simulate {
namespace {

// EDTA pseudothrombocytopenia: 0.12 % of inpatients [R69], 0.044 % of outpatients [R70] (0.13 %
// of all subjects [R68]). Clotted EDTA tubes measured: 0.15 % (clotted is the first reason for
// rejecting a CBC, 0.1-0.3 % [R66, R67]). Lipaemia and haemolysis that move the count: not found
// (haemolysis in up to 3.3 % of routine samples [R71], mostly serum): chosen.
constexpr ArtefactShares kInpatientArtefacts = {0.0012, 0.005, 0.005, 0.0015};
constexpr ArtefactShares kOutpatientArtefacts = {0.00044, 0.002, 0.002, 0.0015};

// A count below the ceiling, from a reading `fraction` of the true one.
double below_platelet_ceiling(double plt, double fraction, RandomDraws& draws) {
  return std::min(plt * fraction, kArtefactPlateletCeiling * draws.uniform(0.5, 0.95));
}

}  // namespace

std::string_view name_of(Artefact artefact) {
  switch (artefact) {
    case Artefact::None:
      return "none";
    case Artefact::PlateletClumps:
      return "edta-platelet-clumps";
    case Artefact::ColdAgglutinin:
      return "cold-agglutinin";
    case Artefact::Lipaemia:
      return "lipaemia";
    case Artefact::Haemolysis:
      return "in-vitro-haemolysis";
    case Artefact::ClottedTube:
      return "clotted-edta-tube";
  }
  return "none";
}

ArtefactShares artefact_shares(bool is_inpatient) {
  return is_inpatient ? kInpatientArtefacts : kOutpatientArtefacts;
}

Artefact draw_tube_artefact(bool is_inpatient, RandomDraws& draws) {
  const ArtefactShares s = artefact_shares(is_inpatient);
  const double u = draws.uniform();
  double edge = s.platelet_clumps;
  if (u < edge) {
    return Artefact::PlateletClumps;
  }
  if (u < (edge += s.lipaemia)) {
    return Artefact::Lipaemia;
  }
  if (u < (edge += s.haemolysis)) {
    return Artefact::Haemolysis;
  }
  if (u < edge + s.clotted_tube) {
    return Artefact::ClottedTube;
  }
  return Artefact::None;
}

BloodCount as_measured(const BloodCount& blood, Artefact artefact, RandomDraws& draws) {
  BloodCount b = blood;
  switch (artefact) {
    case Artefact::None:
      return b;
    case Artefact::PlateletClumps:
      // Clumps are not counted as platelets, some are counted as leukocytes: WBC up in 92 % of
      // cases [R26]; larger platelets left (chosen).
      b.plt = below_platelet_ceiling(b.plt, draws.uniform(0.1, 0.5), draws);
      if (draws.chance(0.92)) {
        b.wbc += draws.uniform(0.3, 1.5);
      }
      b.mpv = std::min(b.mpv + 0.5, 15.0);
      break;
    case Artefact::ClottedTube:
      // Platelets and some leukocytes caught in the clot (chosen).
      b.plt = below_platelet_ceiling(b.plt, draws.uniform(0.2, 0.6), draws);
      b.wbc *= draws.uniform(0.85, 1.0);
      break;
    case Artefact::ColdAgglutinin: {
      // Doublets and triplets counted as one large cell: RBC and HCT down, MCV up, HGB (from the
      // lysate) unchanged, so MCH and MCHC up: MCHC above 37.5 [R20, R21, R22], here 38-48
      // (chosen).
      const double mcv_factor = draws.uniform(1.08, 1.25);
      const double mchc = draws.uniform(38.0, 48.0);
      b.rbc *= b.mchc / (mchc * mcv_factor);
      b.mcv *= mcv_factor;
      b.mchc = mchc;
      break;
    }
    case Artefact::Lipaemia:
      // Turbidity read as haemoglobin: HGB, MCH, MCHC up; RBC, HCT, MCV unchanged [R23, R24].
      b.mchc = std::max(b.mchc + draws.uniform(2.5, 6.0), kArtefactMchcFloor);
      break;
    case Artefact::Haemolysis: {
      // Lysed cells: RBC, HCT, MCV down, HGB (measured after lysis) unchanged, so MCH, MCHC up;
      // fragments counted as platelets; RDW up [R25]. MCHC 36.5-40 and the rest chosen.
      const double mcv_factor = draws.uniform(0.97, 0.995);
      const double mchc = std::max(b.mchc + 1.0, draws.uniform(kArtefactMchcFloor, 40.0));
      b.rbc *= b.mchc / (mchc * mcv_factor);
      b.mcv *= mcv_factor;
      b.mchc = mchc;
      b.plt *= draws.uniform(1.05, 1.2);
      b.rdw_cv += draws.uniform(0.5, 2.0);
      break;
    }
  }
  derive_red_cell_indices(b);
  return b;
}

}  // namespace hemalink::simulate
