#include "server/api/reference_ranges.hpp"

#include <optional>
#include <string>

namespace hemalink::api {
namespace {

using nlohmann::json;

std::string text_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? std::optional<double>(it->get<double>())
                                               : std::nullopt;
}

}  // namespace

void fill_reference_ranges(json& specimens, const rules::RuleSet* rules) {
  for (auto& specimen : specimens) {
    const auto results = specimen.find("results");
    if (results == specimen.end())
      continue;
    const auto sex = text_at(specimen, "patient_sex");
    const auto age = number_at(specimen, "patient_age_years");
    for (auto& result : *results) {
      if (!text_at(result, "reference_range").empty()) {
        result["reference_source"] = "analyzer";
        continue;
      }
      const auto* interval = rules != nullptr
                                 ? rules->reference_intervals().find(
                                       text_at(result, "code"), text_at(result, "units"), sex, age)
                                 : nullptr;
      if (interval == nullptr) {
        result["reference_source"] = nullptr;
        continue;
      }
      result["reference_range"] = interval->range;
      result["reference_source"] = "rules";
    }
  }
}

}  // namespace hemalink::api
