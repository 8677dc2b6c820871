#pragma once

#include <optional>
#include <string_view>

namespace hemalink::config {

/// The mapping table shipped in config/mappings/<driver>.json, compiled into the binary (see
/// cmake/embed_mappings.cmake), or nullopt when none ships for `driver`.
std::optional<std::string_view> shipped_mapping_json(std::string_view driver);

}  // namespace hemalink::config
