#include "server/rules/rules_config.hpp"

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::rules {

void read_rules_config(files::JsonFields& top, RulesConfig& rules,
                       const std::filesystem::path& base) {
  const nlohmann::json* node = top.object("rules");
  if (node == nullptr) {
    return;
  }
  files::JsonFields f(*node, top.path_of("rules"), top.errors());
  std::vector<std::string> names;
  f.text_list("files", names);
  for (const auto& name : names)
    rules.files.push_back(files::path_from(base, name));
  f.integer("recent_results_capacity", rules.recent_results_capacity, 100, 10000000);
}

}  // namespace hemalink::rules
