// The answer an order message's sender reads to know what became of each test (HL7 v2.5.1
// chapter 4: ORL^O22, ORL^O34, ORR^O02; chapter 2 for MSA and ERR). A test the LIS destination's
// mapping table does not know is kept but never sent to an analyzer, so the LIS must hear about
// it now rather than find it overdue: its ORC says UA and an ERR names it.
#include "drivers/orders/hl7_order_acknowledgement.hpp"

#include <fmt/format.h>

namespace hemalink::drivers {
namespace {

const char* order_control(model::OrderControl control, bool is_known) {
  switch (control) {
    case model::OrderControl::New:
      return is_known ? "OK" : "UA";
    case model::OrderControl::Change:
      return is_known ? "XR" : "UX";
    case model::OrderControl::Cancel:
      return "CR";
    case model::OrderControl::Status:
      return "OK";
  }
  return "OK";
}

// ORC-5 (Table 0038): scheduled, or cancelled.
const char* order_status(model::OrderControl control, bool is_known) {
  if (control == model::OrderControl::Cancel)
    return "CA";
  return is_known ? "SC" : "";
}

enum class Shape { OrderThenSpecimen, SpecimenThenOrders, OrdersOnly };

struct Reply {
  const char* type;
  Shape shape;
};

std::optional<Reply> reply_to(std::string_view message_type) {
  if (message_type == "OML^O21")
    return Reply{"ORL^O22^ORL_O22", Shape::OrderThenSpecimen};
  if (message_type == "OML^O33")
    return Reply{"ORL^O34^ORL_O34", Shape::SpecimenThenOrders};
  if (message_type == "ORM^O01")
    return Reply{"ORR^O02^ORR_O02", Shape::OrdersOnly};
  return std::nullopt;
}

class AcknowledgementWriter {
 public:
  AcknowledgementWriter(hl7::V2Writer& w, const KnownTest& is_known) : w_(w), is_known_(is_known) {}

  // The PATIENT group only for an order that names its patient: PID-3 is required.
  void patient(const model::LabOrder& order) {
    const auto id = order.patient ? order.patient->id : std::string();
    if (id.empty() || id == patient_)
      return;
    patient_ = id;
    w_.segment("PID").field(fmt::to_string(++pids_)).field("");
    w_.field(id);
  }

  void specimen(const model::LabOrder& order) {
    w_.segment("SPM").field(fmt::to_string(++specimens_)).field(order.specimen_id).field("");
    const auto& t = order.specimen_type;
    w_.components({t.code, t.text, t.coding_system});
  }

  // One ORC and OBR per test; an order without tests (a cancellation of all of it) has one ORC.
  void order(const model::LabOrder& order, bool with_specimen) {
    if (order.tests.empty()) {
      control(order, true);
      if (with_specimen)
        specimen(order);
      return;
    }
    for (const auto& test : order.tests) {
      control(order, is_known_(test));
      w_.segment("OBR").field(fmt::to_string(++requests_));
      w_.field(order.placer_number).field(order.filler_number);
      w_.components({test.code, test.text, test.coding_system});
      if (with_specimen)
        specimen(order);
    }
  }

 private:
  void control(const model::LabOrder& order, bool is_known) {
    w_.segment("ORC").field(order_control(order.control, is_known));
    w_.field(order.placer_number).field(order.filler_number).field("");
    w_.field(order_status(order.control, is_known));
  }

  hl7::V2Writer& w_;
  const KnownTest& is_known_;
  std::string patient_;  ///< Of the last PID written.
  std::size_t pids_ = 0;
  std::size_t specimens_ = 0;
  std::size_t requests_ = 0;
};

}  // namespace

std::vector<hl7::AckError> unknown_tests(const model::OrderMessage& message,
                                         const KnownTest& is_known, std::string_view destination) {
  std::vector<hl7::AckError> out;
  for (const auto& order : message.orders) {
    if (order.control == model::OrderControl::Cancel)
      continue;  // cancelling what is not known harms nobody
    for (const auto& test : order.tests) {
      if (is_known(test))
        continue;
      hl7::AckError e;
      e.segment_id = test.request ? "OBR" : "";
      e.segment_sequence = test.request;
      e.field = test.request ? 4 : 0;
      e.code = 103;
      e.message = fmt::format(
          "test '{}'{} on specimen '{}' is not in the mapping table of LIS destination '{}': "
          "kept, sent to no analyzer",
          test.code, test.text.empty() ? "" : fmt::format(" ({})", test.text), order.specimen_id,
          destination);
      out.push_back(std::move(e));
    }
  }
  return out;
}

std::string write_order_acknowledgement(const hl7::AckContext& original,
                                        const model::OrderMessage& message,
                                        const KnownTest& is_known, std::string_view destination,
                                        const hl7::AckHeader& header) {
  const auto reply = reply_to(message.message_type);
  if (!reply)
    return {};
  std::string out;
  hl7::V2Writer w(out);
  hl7::write_reply_header(original, reply->type, header, w);
  const auto errors = unknown_tests(message, is_known, destination);
  hl7::write_acknowledgement(original, errors.empty() ? hl7::AckCode::AA : hl7::AckCode::AE, errors,
                             w);
  AcknowledgementWriter answer(w, is_known);
  for (std::size_t i = 0; i < message.orders.size(); ++i) {
    const auto& order = message.orders[i];
    answer.patient(order);
    if (reply->shape == Shape::SpecimenThenOrders) {
      const bool same_specimen = i > 0 && message.orders[i - 1].specimen_id == order.specimen_id;
      if (!same_specimen)
        answer.specimen(order);
      answer.order(order, false);
    } else {
      answer.order(order, reply->shape == Shape::OrderThenSpecimen);
    }
  }
  w.finish();
  return out;
}

}  // namespace hemalink::drivers
