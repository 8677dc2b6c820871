#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hemalink::files {

/// The whole file, bytes as they are; nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace hemalink::files
