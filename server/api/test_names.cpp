#include "server/api/test_names.hpp"

#include <algorithm>

namespace hemalink::api {

void name_tests(nlohmann::json& specimens, const std::vector<AnalyzerEntry>& analyzers) {
  for (auto& specimen : specimens) {
    const auto analyzer = specimen.value("analyzer", "");
    const auto a = std::find_if(analyzers.begin(), analyzers.end(),
                                [&](const AnalyzerEntry& e) { return e.name == analyzer; });
    if (!specimen.contains("results"))
      continue;
    for (auto& result : specimen["results"]) {
      auto name = result.value("code", "");
      if (a != analyzers.end()) {
        if (const auto it = a->test_names.find(name); it != a->test_names.end())
          name = it->second;
      }
      result["name"] = std::move(name);
    }
  }
}

}  // namespace hemalink::api
