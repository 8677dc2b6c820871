#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "server/rules/rule_set.hpp"

namespace hemalink::rules {

/// The rules files' names (as given) and texts, in order; fails naming every file that cannot be
/// read (`x.json: cannot read the rules file`).
Result<std::vector<RuleSource>, files::FileErrors> read_rule_sources(
    const std::vector<std::filesystem::path>& paths);

/// Reads the rules files (in order) and loads them as one set. Fails with every error, each
/// naming its file (`config/rules/cbc.json:42:17: rule "plt-critical": ...`,
/// `x.json: cannot read the rules file`).
Result<std::shared_ptr<const RuleSet>, files::FileErrors> load_rule_files(
    const std::vector<std::filesystem::path>& paths);

}  // namespace hemalink::rules
