#include "tests/support/corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hemalink::testing {

std::optional<std::filesystem::path> corpus_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("HEMALINK_CORPUS_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = HEMALINK_CORPUS_DIR;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return std::nullopt;
  }
  return dir;
}

std::vector<std::filesystem::path> corpus_files(const std::string& sub) {
  std::vector<std::filesystem::path> files;
  auto dir = corpus_dir();
  if (!dir) {
    return files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(*dir / sub)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

std::string corpus_driver(const std::filesystem::path& file) {
  const auto name = file.filename().string();
  if (file.parent_path().filename() == "hl7") {
    return "generic-hl7";
  }
  if (name.starts_with("sysmex-x")) {
    return "sysmex-xn";
  }
  return "generic-astm";
}

}  // namespace hemalink::testing
