#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hemalink::config {

/// The whole file, bytes as they are; nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

/// HEMALINK_DATABASE_URL, which replaces the configured database.url when set.
std::optional<std::string> database_url_from_environment();

}  // namespace hemalink::config
