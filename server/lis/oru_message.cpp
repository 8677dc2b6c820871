#include "server/lis/oru_message.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "drivers/model/compact_time.hpp"
#include "protocols/hl7/v2_writer.hpp"
#include "server/lis/lis_observation.hpp"
#include "server/lis/order_groups.hpp"

namespace hemalink::lis {
namespace {

const char* value_type(const LisObservation& o) {
  if (!o.is_numeric) {
    return "ST";
  }
  return o.comparator.empty() ? "NM" : "SN";
}

void write_header(hl7::V2Writer& w, const OutboxContent& c, const LisDestination& d,
                  const std::string& control_id) {
  const char processing[] = {processing_id_code(d.processing_id), '\0'};
  w.msh()
      .field(d.sending_application)
      .field(d.sending_facility)
      .field(d.receiving_application)
      .field(d.receiving_facility)
      .field(model::compact_utc(c.created_at) + "+0000")
      .field("")
      .components({"ORU", "R01", "ORU_R01"})
      .field(control_id)
      .field(processing)
      .field("2.5.1")
      .field("")
      .field("")
      .field("")
      .field("")
      .field("")
      .field("UNICODE UTF-8");
}

void write_patient(hl7::V2Writer& w, const OutboxSpecimen& s) {
  if (s.patient_id.empty()) {
    return;  // PID-3 is required: without a patient the LIS matches the specimen (OBR-3)
  }
  w.segment("PID")
      .field("1")
      .field("")
      .field(s.patient_id)
      .field("")
      .field("")
      .field("")
      .field(s.patient_birth_date)
      .field(s.patient_sex);
}

// Results go back under the order that asked for them: ORC-2/OBR-2 its placer number, ORC-3/
// OBR-3 its filler number (the specimen when it has none), OBR-4 the code the LIS ordered.
// Results no order asked go under hemalink's panel with the specimen as filler number.
void write_order(hl7::V2Writer& w, const OutboxContent& c, std::size_t set_id,
                 const OrderGroup& group, const LisPanel& panel, char status) {
  const auto& s = c.specimen;
  const auto& filler = group.filler_number.empty() ? s.specimen_id : group.filler_number;
  w.segment("ORC").field("RE").field(group.placer_number).field(filler).field("").field("CM");
  const char result_status[] = {status, '\0'};
  w.segment("OBR").field(std::to_string(set_id)).field(group.placer_number).field(filler);
  if (group.ordered_code.empty()) {
    w.components({panel.code, panel.text, panel.coding_system});
  } else {
    w.components({group.ordered_code, "", panel.coding_system});
  }
  w.field("").field("").field(model::compact_utc(s.received_at) + "+0000");
  for (int i = 8; i <= 24; ++i) {
    w.field("");
  }
  w.field(result_status);
  for (std::size_t i = 0; i < s.comments.size(); ++i) {
    w.segment("NTE").field(std::to_string(i + 1)).field("L").field(s.comments[i]);
  }
}

void write_observation(hl7::V2Writer& w, std::size_t set_id, const LisObservation& o,
                       const OutboxResult& r, const OutboxSpecimen& s) {
  const char status[] = {o.status, '\0'};
  const auto analysed = protocol_time(r.measured_at);
  w.segment("OBX").field(std::to_string(set_id)).field(value_type(o));
  w.components({o.code, o.text, o.coding_system}).field("");
  if (o.is_numeric && !o.comparator.empty()) {
    w.components({o.comparator, o.value});
  } else {
    w.field(o.value);
  }
  if (o.units.empty()) {
    w.field("");
  } else {
    w.components({o.units, "", "UCUM"});
  }
  w.field(o.reference_range)
      .field(r.abnormal_flag)
      .field("")
      .field("")
      .field(status)
      .field("")
      .field("")
      .field(analysed)
      .field("")
      .field("")
      .field("")
      .field(s.analyzer)
      .field(analysed);
  for (std::size_t i = 0; i < r.comments.size(); ++i) {
    w.segment("NTE").field(std::to_string(i + 1)).field("L").field(r.comments[i]);
  }
}

}  // namespace

Result<BuiltMessage, Error> build_oru(const OutboxContent& c, const LisDestination& d,
                                      const config::LisMapping& mapping) {
  auto read = lis_observations(c, mapping);
  if (!read) {
    return read.error();
  }
  const auto& observations = *read;
  const bool corrects = has_correction(observations);
  BuiltMessage m;
  m.control_id = control_id_of(c.outbox_id);
  hl7::V2Writer w(m.payload);
  write_header(w, c, d, m.control_id);
  write_patient(w, c.specimen);
  const auto panel = lis_panel(c.specimen, mapping);
  const auto groups = order_groups(c);
  std::size_t set_id = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    write_order(w, c, g + 1, groups[g], panel, corrects ? 'C' : 'F');
    for (auto i : groups[g].results) {
      write_observation(w, ++set_id, observations[i], c.results[i], c.specimen);
    }
  }
  w.segment("SPM")
      .field("1")
      .components({"", c.specimen.specimen_id})
      .field("")
      .field(c.specimen.sample_type);
  w.finish();
  return m;
}

}  // namespace hemalink::lis
