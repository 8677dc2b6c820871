#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace hemalink::testing {

/// Decodes a capture file and translates it with `driver` (shipped mapping table plus
/// `mappings_json` overrides), as `hemalink decode --driver` does. Fails the test on error.
nlohmann::json translate_file(const std::filesystem::path& file, const std::string& driver,
                              const std::string& mappings_json = "");

/// The first observation with this code in result set `set`, or null.
nlohmann::json observation(const nlohmann::json& doc, const std::string& code, std::size_t set = 0);

}  // namespace hemalink::testing
