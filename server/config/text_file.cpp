#include "server/config/text_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hemalink::config {

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::string> database_url_from_environment() {
  const char* url = std::getenv("HEMALINK_DATABASE_URL");
  if (url == nullptr || *url == '\0')
    return std::nullopt;
  return std::string(url);
}

}  // namespace hemalink::config
