#include "drivers/common/law_query.hpp"

#include <fmt/format.h>

#include "drivers/common/hl7_fields.hpp"
#include "drivers/errc.hpp"
#include "protocols/common/split.hpp"
#include "protocols/hl7/v2_writer.hpp"

namespace hemalink::drivers {
namespace {

void header(hl7::V2Writer& w, const LawQuery& q, std::string_view type, std::string_view profile,
            std::string_view control_id, std::string_view timestamp) {
  w.msh()
      .field("hemalink")
      .field("")
      .field(q.sender)
      .field(q.sender_facility)
      .field(timestamp)
      .field("")
      .raw(type)
      .field(control_id)
      .field("P")
      .field("2.5.1")
      .field("")
      .field("")
      .field("NE")
      .field("AL")
      .field("")
      .field("UNICODE UTF-8")
      .field("")
      .field("")
      .raw(profile);
}

// The order's notes, an NTE per line (NTE-2 L: from the LIS).
void notes(hl7::V2Writer& w, std::string_view comment) {
  std::size_t sequence = 0;
  for (std::size_t n = 1; !comment.empty() && n <= count_parts(comment, '\n'); ++n) {
    if (const auto line = nth_part(comment, '\n', n); !line.empty())
      w.segment("NTE").field(std::to_string(++sequence)).field("L").field(line);
  }
}

}  // namespace

Result<LawQuery> read_law_query(const hl7::V2Message& message) {
  const Hl7Fields f(message);
  const auto msh = message.find("MSH");
  if (!msh || f.component(*msh, 9, 1) != "QBP") {
    return ParseError{make_error_code(Errc::WrongInput), "not a QBP^Q11 query (MSH-9)", 0};
  }
  const auto qpd = message.find("QPD");
  if (!qpd) {
    return ParseError{make_error_code(Errc::MissingRecord), "QBP^Q11 without its QPD segment", 0};
  }
  LawQuery q;
  q.control_id = f.field(*msh, 10);
  q.sender = f.field(*msh, 3);
  q.sender_facility = f.field(*msh, 4);
  q.query_name = std::string(qpd->field(1));
  q.query_tag = f.field(*qpd, 2);
  q.specimen.echo = std::string(qpd->field(3));
  q.specimen.specimen_id = not_null(f.component(*qpd, 3, 1));
  if (q.specimen.specimen_id.empty()) {
    return ParseError{make_error_code(Errc::MalformedField),
                      fmt::format("segment {} (QPD), field QPD-3: no specimen ID", qpd->number()),
                      qpd->offset()};
  }
  return q;
}

std::string write_law_response(const LawQuery& q, bool has_work, std::string_view control_id,
                               std::string_view timestamp) {
  std::string out;
  hl7::V2Writer w(out);
  header(w, q, "RSP^K11^RSP_K11", "LAB-27^IHE", control_id, timestamp);
  w.segment("MSA").field("AA").field(q.control_id);
  w.segment("QAK").field(q.query_tag).field(has_work ? "OK" : "NF").raw(q.query_name);
  w.segment("QPD").raw(q.query_name).field(q.query_tag).raw(q.specimen.echo);
  w.finish();
  return out;
}

std::string write_law_work_order(const LawQuery& q, const model::WorkOrder& work,
                                 std::string_view control_id, std::string_view timestamp) {
  std::string out;
  hl7::V2Writer w(out);
  header(w, q, "OML^O33^OML_O33", "LAB-28^IHE", control_id, timestamp);
  if (work.patient) {
    w.segment("PID")
        .field("1")
        .field("")
        .field(work.patient->id)
        .field("")
        .field("")
        .field("")
        .field(work.patient->birth_date)
        .field(work.patient->sex);
  }
  w.segment("SPM").field("1").components({work.specimen.specimen_id}).field("");
  w.components({work.specimen_type, work.specimen_type_text, work.specimen_type_system});  // SPM-4
  for (int i = 5; i <= 10; ++i) {
    w.field("");
  }
  w.field("P");
  w.segment("SAC").field("").field("").field(work.specimen.specimen_id);
  for (std::size_t i = 0; i < work.codes.size(); ++i) {
    w.segment("ORC").field("NW").field(work.specimen.specimen_id);
    w.segment("TQ1");
    for (int f = 1; f <= 8; ++f) {
      w.field("");
    }
    w.field(model::priority_code(work.priority));
    // OBR-4: the analyzer's code, what it stands for in the lab's canonical codes, and L (HL7
    // Table 0396: a local code, the analyzer's own).
    const auto text = i < work.code_texts.size() ? work.code_texts[i] : std::string();
    w.segment("OBR").field(std::to_string(i + 1)).field(work.specimen.specimen_id).field("");
    w.components({work.codes[i], text, "L"});
    notes(w, work.comment);
  }
  w.finish();
  return out;
}

}  // namespace hemalink::drivers
