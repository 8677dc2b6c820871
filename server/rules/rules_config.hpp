#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::rules {

/// The autoverification rules: the files of the rule set (one set, in order), and how many
/// patients' tests and specimens the cache of recent results keeps. Without files every result
/// is held for review.
struct RulesConfig {
  std::vector<std::filesystem::path> files;
  std::size_t recent_results_capacity = 100000;
};

/// Reads the configuration's `rules` object, when present, into `rules`; errors go to `top`'s
/// list with their JSON paths. The files are taken from `base`.
void read_rules_config(files::JsonFields& top, RulesConfig& rules,
                       const std::filesystem::path& base);

}  // namespace hemalink::rules
