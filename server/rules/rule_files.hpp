#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "server/rules/rule_set.hpp"

namespace hemalink::rules {

/// Reads the rules files (in order) and loads them as one set. Fails with every error as a line
/// to show (`config/rules/cbc.json:42:17: rule "plt-critical": ...`, `x.json: cannot read`).
std::variant<std::shared_ptr<const RuleSet>, std::vector<std::string>> load_rule_files(
    const std::vector<std::filesystem::path>& files);

}  // namespace hemalink::rules
