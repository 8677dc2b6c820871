#include "drivers/orders/astm_orders.hpp"

#include <fmt/format.h>

#include "drivers/common/astm_fields.hpp"
#include "drivers/errc.hpp"

namespace hemalink::drivers {
namespace {

std::vector<model::OrderedTest> tests_of(const astm::Lis2Message& message, Charset charset,
                                         const astm::Lis2Record& o) {
  std::vector<model::OrderedTest> tests;
  const auto& d = message.delimiters();
  const auto raw = o.field(4);
  for (std::size_t i = 1; i <= astm::part_count(raw, d.repeat); ++i) {
    const auto one = astm::component(raw, d.repeat, i);
    auto code = astm::text_of(astm::component(one, d.component, 4), d, charset);
    auto text = astm::text_of(astm::component(one, d.component, 5), d, charset);
    if (code.empty())
      code = astm::text_of(astm::component(one, d.component, 1), d, charset);
    if (!code.empty())
      tests.push_back({std::move(code), std::move(text), "", 0});
  }
  return tests;
}

// C-4 (index 3): the comment text; a blood bank's donor unit for a crossmatch comes this way.
void append_comment(model::LabOrder& order, std::string text) {
  if (text.empty())
    return;
  if (!order.comment.empty())
    order.comment.push_back('\n');
  order.comment += text;
}

}  // namespace

Result<model::OrderMessage> read_astm_orders(const astm::Lis2Message& message, Charset charset) {
  const AstmFields f(message, charset);
  model::OrderMessage out;
  out.message_type = "ASTM";
  std::optional<model::Patient> patient;
  std::string location;
  char last = 0;  // the record a C record comments on
  for (std::size_t i = 0; i < message.record_count(); ++i) {
    const auto r = message.record(i);
    if (r.type() == 'H') {
      out.control_id = f.text(r, 2);
    } else if (r.type() == 'P') {
      patient = patient_from(f, r, {2, 3});
      location = f.component(r, 25, 1);
    } else if (r.type() == 'C' && last == 'O') {
      append_comment(out.orders.back(), f.text(r, 3));
    } else if (r.type() == 'O') {
      auto& order = out.orders.emplace_back();
      const auto action = f.text(r, 11);
      const auto control = model::order_control_from_astm(action);
      if (!control) {
        return f.error(r, 11, fmt::format("action code '{}' is not N, A, C, P, X or L", action));
      }
      order.control = *control;
      order.specimen_id = f.component(r, 2, 1);
      order.placer_number = order.specimen_id;
      order.tests = tests_of(message, charset, r);
      order.priority = model::priority_from_code(f.text(r, 5));
      order.collected_at = f.text(r, 7);
      order.patient = patient;
      order.location = f.component(r, 27, 1).empty() ? location : f.component(r, 27, 1);
      order.specimen_type.code = f.component(r, 15, 1);
      order.specimen_source = f.component(r, 15, 2);
      if (order.specimen_id.empty()) {
        return f.error(r, 2, "no specimen ID in O-3");
      }
      if (order.tests.empty() && order.control == model::OrderControl::New) {
        return f.error(r, 4, "a new order with no test in O-5");
      }
    }
    if (r.type() != 'C')
      last = r.type();
  }
  if (out.orders.empty()) {
    return ParseError{make_error_code(Errc::MissingRecord),
                      "no O record: the message orders nothing", 0};
  }
  return out;
}

}  // namespace hemalink::drivers
