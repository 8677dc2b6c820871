#include "server/store/batch_rows.hpp"

#include <nlohmann/json.hpp>

#include "protocols/common/charset.hpp"
#include "server/store/copy_text.hpp"
#include "server/store/json_rows.hpp"

namespace hemalink::store {

using records::AveragePointRow;
using records::ControlJudgement;
using records::Direction;
using records::LisRoutes;
using records::MessageContent;
using records::MessageStatus;

namespace {

using nlohmann::json;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string specimen_flags_json(const model::ResultSet& set) {
  json flags = json::array();
  for (const auto& f : set.specimen_flags) {
    flags.push_back({{"name", storable(f.name)},
                     {"score", f.score ? json(*f.score) : json(nullptr)},
                     {"positive", f.is_positive}});
  }
  return dump(flags);
}

std::string attachments_json(const model::ResultSet& set) {
  json list = json::array();
  for (const auto& a : set.attachments) {
    list.push_back({{"code", storable(a.code)}, {"reference", storable(a.reference)}});
  }
  return dump(list);
}

std::string traceability_json(const model::ResultSet& set) {
  json list = json::array();
  for (const auto& t : set.traceability) {
    list.push_back({{"kind", storable(t.kind)}, {"text", storable(t.text)}});
  }
  return dump(list);
}

std::string comments_json(const std::vector<std::string>& comments) {
  json list = json::array();
  for (const auto& c : comments) {
    list.push_back(storable(c));
  }
  return dump(list);
}

std::string rules_fired_json(const model::Decision& decision) {
  if (decision.fired.empty()) {
    return "[]";
  }
  json list = json::array();
  for (const auto& f : decision.fired) {
    json firing = {{"rule_id", storable(f.rule_id)},
                   {"action", model::to_string(f.action)},
                   {"reason", storable(f.reason)}};
    if (!f.reflex_test.empty()) {
      firing["reflex_test"] = storable(f.reflex_test);
    }
    list.push_back(std::move(firing));
  }
  return dump(list);
}

// The columns every row of one message repeats, formatted once per message, not once per result.
struct MessageColumns {
  std::string id;
  long long analyzer_id;
  std::string received_at;
};

template <typename Row>
void append_specimen(std::string& out, long long row_id, const MessageColumns& m,
                     const model::ResultSet& set) {
  const auto& patient = set.patient;
  Row(out, kSpecimenColumns)
      .integer(row_id)
      .text(m.id)
      .integer(m.analyzer_id)
      .text(set.specimen_id)
      .text(set.sample_number)
      .text(set.rack)
      .text(set.tube_position)
      .text(set.sample_type)
      .text(model::to_string(set.kind))
      .text(set.qc_material)
      .text(set.qc_level)
      .text(set.qc_lot)
      .boolean(set.is_rerun)
      .text(model::to_string(set.priority))
      .text(patient ? patient->id : "")
      .text(patient ? patient->sex : "")
      .text(patient ? patient->birth_date : "")
      .number(patient ? patient->age_years : std::nullopt)
      .json(specimen_flags_json(set))
      .json(attachments_json(set))
      .json(traceability_json(set))
      .json(comments_json(set.comments))
      .text(m.received_at);
}

template <typename Row>
void append_result(std::string& out, long long result_id, long long specimen_row_id,
                   const MessageColumns& m, const model::ResultSet& set,
                   const model::Observation& o) {
  Row line(out, kResultColumns);
  line.integer(result_id)
      .integer(specimen_row_id)
      .text(m.id)
      .integer(m.analyzer_id)
      .text(set.specimen_id)
      .text(set.patient ? set.patient->id : "")
      .boolean(set.kind == model::SpecimenKind::QualityControl)
      .text(o.code)
      .text(o.raw_code)
      .text(o.loinc)
      .boolean(o.is_mapped)
      .text(o.value)
      .number(o.numeric)
      .text(model::to_string(o.comparator))
      .text(o.units)
      .text(o.raw_units)
      .text(o.reference_range)
      .text(o.abnormal_flag)
      .text_array(o.flags)
      .text(model::to_string(o.status))
      .text(o.analyzer_judgement)
      .text(o.measured_at)
      .text(o.dilution);
  if (o.decimals) {
    line.integer(*o.decimals);
  } else {
    line.null();
  }
  line.text_array(o.comments).text(m.received_at);
}

template <typename Row>
void append_decision(std::string& out, long long result_id, const model::Decision& d) {
  Row(out, kDecisionColumns)
      .integer(result_id)
      .text(model::to_string(d.verdict))
      .json(rules_fired_json(d))
      .text(d.rule_set_version)
      .text(d.decided_by)
      .text(d.reason);
}

std::string run_values_json(const ControlJudgement& j) {
  json out = json::array();
  for (const auto& v : j.run_values) {
    out.push_back({{"level", storable(v.level)}, {"z", v.z}});
  }
  return dump(out);
}

std::string violations_json(const ControlJudgement& j) {
  json out = json::array();
  for (const auto& v : j.violations) {
    out.push_back({{"rule", v.rule}, {"detail", storable(v.detail)}});
  }
  return dump(out);
}

template <typename Row>
void append_qc_evaluation(std::string& out, long long result_id, const MessageColumns& m,
                          const ControlJudgement& j) {
  Row line(out, kQcEvaluationColumns);
  line.integer(result_id)
      .integer(m.analyzer_id)
      .text(j.test)
      .text(j.material)
      .text(j.level)
      .text(j.lot)
      .number(j.value)
      .text(j.is_establishing ? "establishing" : "judged")
      .number(j.mean)
      .number(j.sd)
      .number(j.z)
      .text(j.run_id);
  if (j.run_id.empty()) {
    line.null();
  } else {
    line.timestamp(j.run_started_at);
  }
  line.json(run_values_json(j))
      .json(violations_json(j))
      .boolean(j.run_rejected)
      .text(j.measurement)
      .text(m.received_at);
}

template <typename Row>
void append_patient_average(std::string& out, const MessageColumns& m, const AveragePointRow& p) {
  Row(out, kPatientAverageColumns)
      .text(m.id)
      .integer(m.analyzer_id)
      .text(p.test)
      .text(p.method)
      .number(p.value)
      .integer(static_cast<long long>(p.results))
      .number(p.target)
      .number(p.low)
      .number(p.high)
      .integer(static_cast<long long>(p.outside))
      .boolean(p.is_excursion)
      .boolean(p.acts_on_gate)
      .text(m.received_at);
}

const model::Decision& decision_for(const MessageContent& in, std::size_t set, std::size_t obs) {
  static const model::Decision kMissing = model::hold_for_review(
      "system:store", "no decision was made for this result: held for review");
  if (set < in.decisions.size() && obs < in.decisions[set].size()) {
    return in.decisions[set][obs];
  }
  return kMissing;
}

// Only patient results go to the LIS; QC and calibration stay here.
bool goes_to_lis(const StoreRequest& request, const model::ResultSet& set) {
  return request.receipt.direction == Direction::In && set.kind == model::SpecimenKind::Patient;
}

}  // namespace

const std::vector<std::string> kIncomingColumns = {
    "id",           "analyzer_id",  "direction",  "protocol", "peer_address",
    "received_at",  "raw",          "control_id", "status",   "reject_reason",
    "error_offset", "duplicate_of", "resend_key"};
const std::vector<std::string> kSpecimenColumns = {"id",
                                                   "message_id",
                                                   "analyzer_id",
                                                   "specimen_id",
                                                   "sample_number",
                                                   "rack",
                                                   "tube_position",
                                                   "sample_type",
                                                   "kind",
                                                   "qc_material",
                                                   "qc_level",
                                                   "qc_lot",
                                                   "is_rerun",
                                                   "priority",
                                                   "patient_id",
                                                   "patient_sex",
                                                   "patient_birth_date",
                                                   "patient_age_years",
                                                   "specimen_flags",
                                                   "attachments",
                                                   "traceability",
                                                   "comments",
                                                   "received_at"};
const std::vector<std::string> kResultColumns = {"id",
                                                 "specimen_row_id",
                                                 "message_id",
                                                 "analyzer_id",
                                                 "specimen_id",
                                                 "patient_id",
                                                 "is_qc",
                                                 "code",
                                                 "raw_code",
                                                 "loinc",
                                                 "is_mapped",
                                                 "value",
                                                 "numeric_value",
                                                 "comparator",
                                                 "units",
                                                 "raw_units",
                                                 "reference_range",
                                                 "abnormal_flag",
                                                 "flags",
                                                 "status",
                                                 "analyzer_judgement",
                                                 "measured_at",
                                                 "dilution",
                                                 "decimals",
                                                 "comments",
                                                 "received_at"};
const std::vector<std::string> kDecisionColumns = {"result_id",        "decision",   "rules_fired",
                                                   "rule_set_version", "decided_by", "reason"};
const std::vector<std::string> kQcEvaluationColumns = {
    "result_id",      "analyzer_id", "test",        "material",     "level",       "lot",
    "value",          "phase",       "target_mean", "target_sd",    "z",           "run_id",
    "run_started_at", "run_values",  "violations",  "run_rejected", "measurement", "evaluated_at"};
const std::vector<std::string> kPatientAverageColumns = {
    "message_id",   "analyzer_id",  "test", "method", "value",
    "results",      "target",       "low",  "high",   "outside_points",
    "is_excursion", "acts_on_gate", "at"};
const std::vector<std::string> kOutboxColumns = {"destination", "specimen_row_id", "specimen_id",
                                                 "result_ids"};

std::string storable(std::string_view text) {
  std::string valid = is_valid_utf8(text) ? std::string(text) : to_utf8(text, Charset::Latin1);
  if (valid.find('\0') == std::string::npos) {
    return valid;
  }
  std::string out;
  out.reserve(valid.size() + 8);
  for (char c : valid) {
    if (c == '\0') {
      out.append("\xEF\xBF\xBD");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

template <typename Row>
void append_message(std::string& out, const StoreRequest& request, long long analyzer_id,
                    const std::optional<model::MessageId>& duplicate_of,
                    std::string_view resend_key) {
  const auto& r = request.receipt;
  const auto& in = *request.content;
  const auto status = duplicate_of ? MessageStatus::Duplicate : in.status;
  Row line(out, kIncomingColumns);
  line.text(r.id.to_string())
      .integer(analyzer_id)
      .text(to_string(r.direction))
      .text(to_string(r.protocol))
      .text(r.peer_address)
      .timestamp(r.received_at)
      .bytea(r.raw)
      .text(in.control_id)
      .text(to_string(status))
      .text_or_null(in.reject_reason);
  if (in.error_offset) {
    line.integer(*in.error_offset);
  } else {
    line.null();
  }
  if (duplicate_of) {
    line.text(duplicate_of->to_string());
  } else {
    line.null();
  }
  line.bytea(resend_key);
}

}  // namespace

std::size_t count_observations(const MessageContent& content) {
  std::size_t n = 0;
  for (const auto& set : content.result_sets) {
    n += set.observations.size();
  }
  return n;
}

namespace {

template <typename Row>
void append_rows(BatchRows& rows, const StoreRequest& request, long long analyzer_id, IdPool& ids,
                 const LisRoutes& routes) {
  const auto& in = *request.content;
  const MessageColumns m{request.receipt.id.to_string(), analyzer_id,
                         timestamp_literal(request.receipt.received_at)};
  for (const auto& point : in.average_points) {
    append_patient_average<Row>(rows.patient_averages, m, point);
  }
  std::size_t judged = 0;
  for (std::size_t s = 0; s < in.result_sets.size(); ++s) {
    const auto& set = in.result_sets[s];
    const long long specimen_row_id = ids.specimens.at(ids.next_specimen++);
    append_specimen<Row>(rows.specimens, specimen_row_id, m, set);
    std::vector<long long> released;
    for (std::size_t o = 0; o < set.observations.size(); ++o) {
      const long long result_id = ids.results.at(ids.next_result++);
      append_result<Row>(rows.results, result_id, specimen_row_id, m, set, set.observations[o]);
      const auto& decision = decision_for(in, s, o);
      append_decision<Row>(rows.decisions, result_id, decision);
      if (s < in.shadow_decisions.size() && o < in.shadow_decisions[s].size()) {
        append_decision<Row>(rows.shadow_decisions, result_id, in.shadow_decisions[s][o]);
      }
      if (decision.verdict == model::Verdict::Release) {
        released.push_back(result_id);
      }
      for (; judged < in.control_judgements.size() && in.control_judgements[judged].set == s &&
             in.control_judgements[judged].observation == o;
           ++judged) {
        append_qc_evaluation<Row>(rows.qc_evaluations, result_id, m, in.control_judgements[judged]);
      }
    }
    if (released.empty() || !goes_to_lis(request, set)) {
      continue;
    }
    for (const auto& route : routes) {
      if (route.takes(request.receipt.analyzer)) {
        rows.outbox_specimens.insert(storable(set.specimen_id));
        rows.outbox_destinations.insert(route.destination);
        Row(rows.outbox, kOutboxColumns)
            .text(route.destination)
            .integer(specimen_row_id)
            .text(storable(set.specimen_id))
            .integer_array(released);
      }
    }
  }
}

}  // namespace

void append_incoming_message(std::string& out, const StoreRequest& request, long long analyzer_id,
                             const std::optional<model::MessageId>& duplicate_of,
                             std::string_view resend_key, RowForm form) {
  if (form == RowForm::Copy) {
    append_message<CopyLine>(out, request, analyzer_id, duplicate_of, resend_key);
  } else {
    append_message<JsonRow>(out, request, analyzer_id, duplicate_of, resend_key);
  }
}

void append_result_rows(BatchRows& rows, const StoreRequest& request, long long analyzer_id,
                        IdPool& ids, const LisRoutes& routes) {
  if (rows.form == RowForm::Copy) {
    append_rows<CopyLine>(rows, request, analyzer_id, ids, routes);
  } else {
    append_rows<JsonRow>(rows, request, analyzer_id, ids, routes);
  }
}

}  // namespace hemalink::store
