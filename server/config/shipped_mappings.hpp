#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace hemalink::config {

/// The mapping table shipped as config/mappings/<name>.json, compiled into the binary (see
/// cmake/embed_mappings.cmake), or nullopt when none ships by that name.
std::optional<std::string_view> shipped_mapping_json(std::string_view name);

/// The names of the shipped tables, sorted: what an analyzer's "base" may name.
std::vector<std::string_view> shipped_table_names();

}  // namespace hemalink::config
