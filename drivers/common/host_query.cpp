#include "drivers/common/host_query.hpp"

#include <fmt/format.h>

#include "drivers/common/astm_fields.hpp"
#include "drivers/errc.hpp"
#include "protocols/common/split.hpp"
#include "protocols/common/text.hpp"

namespace hemalink::drivers {
namespace {

const astm::Delimiters kOurs;  // what our H record declares: |\^&

// The specimen ID of one repeat of Q-3; empty, with `is_without_barcode` set, for a cobas `@`
// and sequence number (a tube whose barcode was not read).
std::string specimen_of(std::string_view repeat, const astm::Delimiters& d,
                        const QueryLayout& layout, Charset charset, bool& is_without_barcode) {
  auto part = [&](std::size_t n) {
    return std::string(trim(astm::text_of(astm::component(repeat, d.component, n), d, charset)));
  };
  if (layout.specimen_component != 0) {
    return part(layout.specimen_component);
  }
  for (std::size_t n : {2, 3, 1}) {
    auto id = part(n);
    if (id.starts_with('@')) {
      is_without_barcode = true;
    } else if (!id.empty()) {
      return id;
    }
  }
  return {};
}

std::string escaped(std::string_view value) {
  std::string out;
  astm::escape_into(value, kOurs, out);
  return out;
}

// Fields 1.. of a record (field 0 is the type), joined; trailing empty fields dropped.
std::string record(char type, std::vector<std::string> fields) {
  while (!fields.empty() && fields.back().empty()) {
    fields.pop_back();
  }
  std::string out(1, type);
  for (const auto& f : fields) {
    out += '|';
    out += f;
  }
  out += '\r';
  return out;
}

std::string tests_field(const std::vector<std::string>& codes, const QueryLayout& layout) {
  std::string out;
  for (const auto& code : codes) {
    if (!out.empty())
      out += kOurs.repeat;
    out.append(layout.test_code_component - 1, kOurs.component);
    out += escaped(code);
  }
  return out;
}

std::string patient_record(std::size_t sequence, const model::WorkOrder& w,
                           const QueryLayout& layout) {
  std::vector<std::string> f(9);
  f[0] = std::to_string(sequence);
  if (w.patient) {
    f[layout.patient_id_in_p5 ? 3 : 1] = escaped(w.patient->id);
    f[6] = escaped(w.patient->birth_date);
    f[7] = escaped(w.patient->sex);
  }
  return record('P', std::move(f));
}

// `o3`: the specimen as the analyzer is to read it back. One-letter fields are assigned as
// characters: GCC 12 at -O3 reports a bogus -Wrestrict on a one-character string literal
// assigned to a std::string (GCC bug 105329), and the benchmarks build with -O3 -Werror.
std::string order_record(const model::WorkOrder& w, std::string o3, const QueryLayout& layout,
                         std::string_view timestamp, std::string_view report_type) {
  std::vector<std::string> f(25);
  f[0] = '1';
  f[1] = std::move(o3);
  if (w.codes.empty()) {
    f[24] = 'Y';  // Sysmex: no order for this sample
    return record('O', std::move(f));
  }
  f[3] = tests_field(w.codes, layout);
  f[4] = model::priority_code(w.priority);
  f[5] = std::string(timestamp);
  f[6] = escaped(w.collected_at);
  f[10] = 'N';
  f[14] = escaped(w.specimen_type);  // O-16 specimen descriptor: type^source
  if (!w.specimen_source.empty()) {
    f[14] += kOurs.component;
    f[14] += escaped(w.specimen_source);
  }
  f[24] = std::string(report_type);
  return record('O', std::move(f));
}

// The order's notes as LIS02-A2 C records after its O record (C-3 L: from the LIS; C-5 G: free
// text), one per line.
std::string comment_records(const model::WorkOrder& w) {
  std::string out;
  std::size_t sequence = 0;
  for (std::size_t n = 1;
       !w.codes.empty() && !w.comment.empty() && n <= count_parts(w.comment, '\n'); ++n) {
    if (const auto line = nth_part(w.comment, '\n', n); !line.empty())
      out += record('C', {std::to_string(++sequence), "L", escaped(line), "G"});
  }
  return out;
}

std::string header(std::string_view timestamp) {
  return fmt::format("H|\\^&|||hemalink|||||||P|LIS2-A2|{}\r", timestamp);
}

}  // namespace

Result<model::HostQuery> read_host_query(const astm::Lis2Message& message,
                                         const QueryLayout& layout, Charset charset) {
  const AstmFields fields(message, charset);
  const auto& d = message.delimiters();
  model::HostQuery query;
  for (std::size_t i = 0; i < message.record_count(); ++i) {
    const auto q = message.record(i);
    if (q.type() != 'Q') {
      continue;
    }
    query.is_cancel = query.is_cancel || fields.text(q, 12) == "A";
    const auto raw = q.field(2);
    const auto before = query.specimens.size();
    bool is_without_barcode = false;
    for (std::size_t n = 1; n <= astm::part_count(raw, d.repeat); ++n) {
      const auto repeat = astm::component(raw, d.repeat, n);
      auto id = specimen_of(repeat, d, layout, charset, is_without_barcode);
      if (!id.empty()) {
        query.specimens.push_back({std::move(id), std::string(repeat)});
      }
    }
    if (query.specimens.size() == before && !query.is_cancel && !is_without_barcode) {
      return fields.error(q, 2, "the query names no specimen in Q-3");
    }
  }
  return query;
}

std::string write_query_answer(const std::vector<model::WorkOrder>& work, const QueryLayout& layout,
                               std::string_view timestamp) {
  std::string out = header(timestamp);
  std::size_t patients = 0;
  bool any = false;
  for (const auto& w : work) {
    if (w.codes.empty() && !layout.no_order_as_report_type_y) {
      continue;
    }
    any = any || !w.codes.empty();
    out += patient_record(++patients, w, layout);
    auto o3 = layout.echoes_query_specimen ? w.specimen.echo : escaped(w.specimen.specimen_id);
    out += order_record(w, std::move(o3), layout, timestamp, "Q");
    out += comment_records(w);
  }
  out += any || (layout.no_order_as_report_type_y && !work.empty()) ? "L|1|N\r" : "L|1|I\r";
  return out;
}

std::string write_work_download(const std::vector<model::WorkOrder>& work,
                                const QueryLayout& layout, std::string_view timestamp) {
  std::string out = header(timestamp);
  std::size_t patients = 0;
  for (const auto& w : work) {
    if (!w.codes.empty()) {
      out += patient_record(++patients, w, layout);
      out += order_record(w, w.specimen.echo, layout, timestamp, "O");
      out += comment_records(w);
    }
  }
  return patients == 0 ? std::string() : out + "L|1|N\r";
}

std::string specimen_field(std::string_view specimen_id, const QueryLayout& layout) {
  const std::size_t before = layout.specimen_component > 1 ? layout.specimen_component - 1 : 0;
  return std::string(before, kOurs.component) + escaped(specimen_id);
}

std::string terminated_reply(std::string_view code, std::string_view timestamp) {
  return header(timestamp) + fmt::format("L|1|{}\r", code);
}

}  // namespace hemalink::drivers
