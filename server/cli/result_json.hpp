#pragma once

#include <nlohmann/json_fwd.hpp>

#include "drivers/model/result_set.hpp"

namespace hemalink::cli {

/// A result set as `hemalink decode --driver` prints it (every field documented in README.md).
nlohmann::json to_json(const model::ResultSet& set);

}  // namespace hemalink::cli
