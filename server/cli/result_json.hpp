#pragma once

#include <nlohmann/json_fwd.hpp>

#include "server/core/result_set.hpp"

namespace hemalink::cli {

/// A result set as `hemalink decode --driver` prints it (every field documented in README.md).
nlohmann::json to_json(const core::ResultSet& set);

}  // namespace hemalink::cli
