#include "server/rules/rule_files.hpp"

#include <fmt/format.h>

#include "server/files/text_file.hpp"

namespace hemalink::rules {

std::variant<std::shared_ptr<const RuleSet>, std::vector<std::string>> load_rule_files(
    const std::vector<std::filesystem::path>& files) {
  std::vector<RuleSource> sources;
  std::vector<std::string> errors;
  for (const auto& file : files) {
    auto text = files::read_text_file(file);
    if (!text) {
      errors.push_back(fmt::format("{}: cannot read the rules file", file.string()));
      continue;
    }
    sources.push_back({file.string(), std::move(*text)});
  }
  if (!errors.empty()) {
    return errors;
  }
  auto loaded = RuleSet::load(sources);
  if (auto* bad = std::get_if<std::vector<RuleError>>(&loaded)) {
    for (const auto& e : *bad)
      errors.push_back(e.describe());
    return errors;
  }
  return std::get<std::shared_ptr<const RuleSet>>(loaded);
}

}  // namespace hemalink::rules
