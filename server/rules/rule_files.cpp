#include "server/rules/rule_files.hpp"

#include <fmt/format.h>

#include "server/files/text_file.hpp"

namespace hemalink::rules {

Result<std::vector<RuleSource>, files::FileErrors> read_rule_sources(
    const std::vector<std::filesystem::path>& paths) {
  std::vector<RuleSource> sources;
  files::FileErrors errors;
  for (const auto& file : paths) {
    auto text = files::read_text_file(file);
    if (!text) {
      errors.push_back(
          {file.string(), std::nullopt, "", "cannot read the rules file", files::Errc::Unreadable});
      continue;
    }
    sources.push_back({file.string(), std::move(*text)});
  }
  if (!errors.empty()) {
    return errors;
  }
  return sources;
}

Result<std::shared_ptr<const RuleSet>, files::FileErrors> load_rule_files(
    const std::vector<std::filesystem::path>& paths) {
  auto sources = read_rule_sources(paths);
  if (!sources) {
    return sources.error();
  }
  return RuleSet::load(*sources);
}

}  // namespace hemalink::rules
