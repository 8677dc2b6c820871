#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "server/api/lab_view.hpp"

namespace hemalink::api {

/// Gives every result of `specimens` (an array of documents with "analyzer" and "results", as
/// the review queue and a specimen's transmissions are) a `name`: what its analyzer's mapping
/// table calls its code, else the code itself.
void name_tests(nlohmann::json& specimens, const std::vector<AnalyzerEntry>& analyzers);

}  // namespace hemalink::api
