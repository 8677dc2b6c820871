#pragma once

#include <vector>

#include "server/simulate/lab_day.hpp"
#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// T cells as a single-platform flow count gives them, before rounding: % of lymphocytes and
/// cells/uL. CD4 and CD8 together stay below CD3 (double-negative T cells) [R29].
struct LymphocyteSubsets {
  double lymphocytes = 0;  ///< /uL
  double cd3_pct = 0;
  double cd4_pct = 0;
  double cd8_pct = 0;
};

/// `sex` 'F' or 'M'.
LymphocyteSubsets draw_lymphocyte_subsets(char sex, bool has_hiv, RandomDraws& draws);

/// CD3_PCT, CD3_ABS, CD4_PCT, CD4_ABS, CD8_PCT, CD8_ABS rounded as config/mappings/bd-facs.json
/// (% to 0.1, /uL to 1); absolutes are % x lymphocytes / 100.
std::vector<LabValue> lymphocyte_subset_values(const LymphocyteSubsets& s);

}  // namespace hemalink::simulate
