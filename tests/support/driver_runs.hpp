#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hemalink::testing {

/// Decodes a capture file and translates it with `driver` (the shipped table `base`, else the
/// driver's own, with the `mappings_json` entries over it), as `hemalink decode --driver` does.
/// Fails the test on error.
nlohmann::json translate_file(const std::filesystem::path& file, const std::string& driver,
                              const std::string& mappings_json = "",
                              std::optional<std::string> base = std::nullopt);

/// The first observation with this code in result set `set`, or null.
nlohmann::json observation(const nlohmann::json& doc, const std::string& code, std::size_t set = 0);

}  // namespace hemalink::testing
