#pragma once

#include <nlohmann/json.hpp>

#include "server/rules/rule_set.hpp"

namespace hemalink::api {

/// Gives every result of `specimens` (an array of documents with "patient_sex",
/// "patient_age_years" and "results", as the review queue's are) a `reference_source`: "analyzer"
/// when it has the `reference_range` its analyzer sent; else "rules", with `reference_range` the
/// interval `rules` gives for its test and units and the patient's sex and age at receipt (as
/// `reference_low` and `reference_high` read it); else null. `rules` may be nullptr (no set in
/// force).
void fill_reference_ranges(nlohmann::json& specimens, const rules::RuleSet* rules);

}  // namespace hemalink::api
