#include "server/cli/result_json.hpp"

#include <nlohmann/json.hpp>

namespace hemalink::cli {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json observation_json(const model::Observation& o) {
  return json{{"code", o.code},
              {"raw_code", o.raw_code},
              {"loinc", o.loinc},
              {"unmapped", !o.is_mapped},
              {"value", o.value},
              {"numeric", optional_number(o.numeric)},
              {"comparator", model::to_string(o.comparator)},
              {"units", o.units},
              {"raw_units", o.raw_units},
              {"reference_range", o.reference_range},
              {"abnormal_flag", o.abnormal_flag},
              {"flags", o.flags},
              {"status", model::to_string(o.status)},
              {"analyzer_judgement", o.analyzer_judgement},
              {"measured_at", o.measured_at},
              {"dilution", o.dilution},
              {"decimals", o.decimals ? json(*o.decimals) : json(nullptr)},
              {"comments", o.comments}};
}

}  // namespace

json to_json(const model::ResultSet& set) {
  json observations = json::array();
  for (const auto& o : set.observations) {
    observations.push_back(observation_json(o));
  }
  json flags = json::array();
  for (const auto& f : set.specimen_flags) {
    flags.push_back(
        json{{"name", f.name}, {"score", optional_number(f.score)}, {"positive", f.is_positive}});
  }
  json attachments = json::array();
  for (const auto& a : set.attachments) {
    attachments.push_back(json{{"code", a.code}, {"reference", a.reference}});
  }
  json traceability = json::array();
  for (const auto& t : set.traceability) {
    traceability.push_back(json{{"kind", t.kind}, {"text", t.text}});
  }
  json patient = nullptr;
  if (set.patient) {
    patient = json{{"id", set.patient->id},
                   {"sex", set.patient->sex},
                   {"birth_date", set.patient->birth_date},
                   {"age_years", optional_number(set.patient->age_years)}};
  }
  return json{{"specimen_id", set.specimen_id},
              {"sample_number", set.sample_number},
              {"rack", set.rack},
              {"tube_position", set.tube_position},
              {"sample_type", set.sample_type},
              {"kind", model::to_string(set.kind)},
              {"qc", {{"material", set.qc_material}, {"level", set.qc_level}, {"lot", set.qc_lot}}},
              {"is_rerun", set.is_rerun},
              {"priority", model::to_string(set.priority)},
              {"analyzer",
               {{"driver", set.analyzer.driver},
                {"model", set.analyzer.model},
                {"serial", set.analyzer.serial},
                {"software_version", set.analyzer.software_version}}},
              {"patient", patient},
              {"observations", std::move(observations)},
              {"specimen_flags", std::move(flags)},
              {"attachments", std::move(attachments)},
              {"traceability", std::move(traceability)},
              {"comments", set.comments}};
}

}  // namespace hemalink::cli
