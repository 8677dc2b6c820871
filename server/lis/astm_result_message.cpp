#include "server/lis/astm_result_message.hpp"

#include "drivers/model/compact_time.hpp"
#include "protocols/astm/lis2_writer.hpp"
#include "server/lis/lis_observation.hpp"
#include "server/lis/order_groups.hpp"

namespace hemalink::lis {
namespace {

void write_comments(astm::Lis2Writer& w, const std::vector<std::string>& comments) {
  for (std::size_t i = 0; i < comments.size(); ++i) {
    w.record('C').field(std::to_string(i + 1)).field("I").field(comments[i]).field("G");
  }
}

void write_result(astm::Lis2Writer& w, std::size_t sequence, const LisObservation& o,
                  const OutboxResult& r, const OutboxSpecimen& s) {
  const char status[] = {o.status, '\0'};
  w.record('R')
      .field(std::to_string(sequence))
      .components({"", "", "", o.code, o.text, o.coding_system})
      .field(o.comparator + o.value)
      .field(o.units)
      .field(o.reference_range)
      .field(r.abnormal_flag)
      .field("")
      .field(status)
      .field("")
      .field("")
      .field("")
      .field(protocol_time(r.measured_at))
      .field(s.analyzer);
  write_comments(w, r.comments);
}

}  // namespace

Result<BuiltMessage, Error> build_astm_results(const OutboxContent& c, const LisDestination& d,
                                               const config::LisMapping& mapping) {
  auto read = lis_observations(c, mapping);
  if (!read) {
    return read.error();
  }
  const auto& observations = *read;
  const bool corrects = has_correction(observations);
  const auto& s = c.specimen;
  const auto panel = lis_panel(s, mapping);
  const char processing[] = {processing_id_code(d.processing_id), '\0'};
  BuiltMessage m;
  m.control_id = control_id_of(c.outbox_id);
  astm::Lis2Writer w(m.payload);
  w.header()
      .field(m.control_id)
      .field("")
      .components({d.sending_application, d.sending_facility})
      .field("")
      .field("")
      .field("")
      .field("")
      .components({d.receiving_application, d.receiving_facility})
      .field("")
      .field(processing)
      .field("LIS2-A2")
      .field(model::compact_utc(c.created_at));
  // Field numbers as LIS02-A2 counts them, the record type being field 1.
  w.record('P').field("1").field(s.patient_id).field("").field("").field("").field("");
  w.field(s.patient_birth_date).field(s.patient_sex);
  // An O record per order that asked (O-3 its placer number, else the specimen; O-5 the code the
  // LIS ordered, else hemalink's panel), its results under it, numbered from 1.
  const auto groups = order_groups(c);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& group = groups[g];
    w.record('O').field(std::to_string(g + 1));
    w.field(group.placer_number.empty() ? s.specimen_id : group.placer_number).field("");
    if (group.ordered_code.empty()) {
      w.components({"", "", "", panel.code, panel.text, panel.coding_system});
    } else {
      w.components({"", "", "", group.ordered_code, "", panel.coding_system});
    }
    for (int i = 6; i <= 25; ++i) {
      w.field("");
    }
    w.field(corrects ? "C" : "F");
    if (g == 0) {
      write_comments(w, s.comments);
    }
    for (std::size_t n = 0; n < group.results.size(); ++n) {
      const auto i = group.results[n];
      write_result(w, n + 1, observations[i], c.results[i], s);
    }
  }
  w.record('L').field("1").field("N");
  w.finish();
  return m;
}

}  // namespace hemalink::lis
