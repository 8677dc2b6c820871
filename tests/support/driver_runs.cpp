#include "tests/support/driver_runs.hpp"

#include <gtest/gtest.h>

#include "server/cli/decode_command.hpp"
#include "tests/support/corpus.hpp"

namespace hemalink::testing {

nlohmann::json translate_file(const std::filesystem::path& file, const std::string& driver,
                              const std::string& mappings_json, std::optional<std::string> base) {
  cli::DecodeOptions options;
  options.driver = driver;
  options.base = std::move(base);
  options.mappings_text = mappings_json;
  options.mappings_source = "test mappings";
  std::vector<std::string> warnings;
  auto result = cli::decode_content(read_file(file), options, warnings);
  EXPECT_TRUE(result.has_value()) << file << ": " << (result ? "" : result.error().describe());
  return result ? *result : nlohmann::json();
}

nlohmann::json observation(const nlohmann::json& doc, const std::string& code, std::size_t set) {
  for (const auto& o : doc["results"][set]["observations"]) {
    if (o["code"] == code) {
      return o;
    }
  }
  return nullptr;
}

}  // namespace hemalink::testing
