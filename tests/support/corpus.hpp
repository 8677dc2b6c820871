#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hemalink::testing {

/// ../shared/corpus (or $HEMALINK_CORPUS_DIR) when present. Tests skip with a message without it.
std::optional<std::filesystem::path> corpus_dir();

/// Every regular file under corpus_dir()/`sub`, sorted by name.
std::vector<std::filesystem::path> corpus_files(const std::string& sub);

std::string read_file(const std::filesystem::path& path);

/// The driver that translates a corpus file: generic-hl7 for hl7/, sysmex-xn for the Sysmex
/// XN/XP captures, generic-astm for the rest.
std::string corpus_driver(const std::filesystem::path& file);

}  // namespace hemalink::testing

/// Skips the current test when the shared corpus is not beside the checkout.
#define HL_REQUIRE_CORPUS()                                                             \
  do {                                                                                  \
    if (!::hemalink::testing::corpus_dir()) {                                           \
      GTEST_SKIP() << "../shared/corpus not found (set HEMALINK_CORPUS_DIR): skipping"; \
    }                                                                                   \
  } while (false)
