// Orders from a LIS in HL7 v2 (2.3.1 to 2.5.1): OML^O21, OML^O33 (IHE LAW), ORM^O01, and the
// patient updates of ADT^A08/A31. Written against HL7 v2.5.1 chapter 4 and IHE LAW, and the
// shapes real LIS send (../shared/docs/protocols.md §5.x): a BOM before MSH, CR LF or LF
// segment ends (the V2Message parser takes them), tens of ORC/TQ1/OBR groups with repeated
// OBR-1 and empty ORC-2, cancellation as ORC|CA with the reason in ORC-16, placeholder text in
// typed fields (PID-7 `DOB`: read as no birth date).
#include "drivers/orders/hl7_orders.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "drivers/common/hl7_fields.hpp"
#include "drivers/errc.hpp"

namespace hemalink::drivers {
namespace {

ParseError segment_error(Errc code, const hl7::V2Segment& s, std::size_t field,
                         std::string_view what) {
  return {make_error_code(code),
          fmt::format("segment {} ({}), field {}-{}: {}", s.number(), s.id(), s.id(), field, what),
          s.offset()};
}

bool is_date(std::string_view text) {
  return text.size() >= 8 &&
         std::all_of(text.begin(), text.begin() + 8, [](char c) { return c >= '0' && c <= '9'; });
}

model::Patient patient_of(const Hl7Fields& f, const hl7::V2Segment& pid) {
  model::Patient p;
  p.id = not_null(f.component(pid, 3, 1));
  if (p.id.empty()) {
    p.id = not_null(f.component(pid, 2, 1));  // v2.3 external ID
  }
  auto birth = f.component(pid, 7, 1);
  p.birth_date = is_date(birth) ? birth.substr(0, 8) : std::string();
  p.sex = not_null(f.field(pid, 8));
  return p;
}

enum class Layout { SpecimenFirst, OrderFirst };

// Walks the segments once, keeping what applies to the orders that follow: the patient (PID),
// the location (PV1), and for OML^O33 the specimen (SPM, SAC).
class OrderWalk {
 public:
  OrderWalk(const hl7::V2Message& message, Layout layout)
      : message_(message), f_(message), layout_(layout) {}

  Result<std::vector<model::LabOrder>> run() {
    for (std::size_t i = 0; i < message_.segment_count(); ++i) {
      if (auto failed = step(message_.segment(i))) {
        return *failed;
      }
    }
    for (std::size_t i = 0; i < orders_.size(); ++i) {
      if (auto failed = check(orders_[i], origins_[i])) {
        return *failed;
      }
    }
    if (orders_.empty()) {
      return ParseError{make_error_code(Errc::MissingRecord),
                        "no ORC or OBR segment: the message orders nothing", 0};
    }
    return std::move(orders_);
  }

 private:
  std::optional<ParseError> step(const hl7::V2Segment& s) {
    const auto id = s.id();
    if (id == "PID") {
      patient_ = patient_of(f_, s);
      location_.clear();
      specimen_.clear();
      collected_.clear();
    } else if (id == "PV1") {
      location_ = not_null(f_.component(s, 3, 1));
    } else if (id == "SPM") {
      read_specimen(s);
    } else if (id == "SAC") {
      read_container(s);
    } else if (id == "ORC") {
      return start_order(s);
    } else if (id == "TQ1") {
      raise_priority(model::priority_from_code(f_.component(s, 9, 1)));
    } else if (id == "OBR") {
      return add_request(s);
    }
    return std::nullopt;
  }

  std::optional<ParseError> start_order(const hl7::V2Segment& s) {
    const auto code = f_.field(s, 1);
    const auto control = model::order_control_from_hl7(code);
    if (!control) {
      return segment_error(Errc::MalformedField, s, 1,
                           fmt::format("order control '{}' is not one hemalink acts on (NW, NA, "
                                       "XO, XX, RP, RU, CA, OC, DC, OD, SC, OK, SS)",
                                       code));
    }
    auto& order = orders_.emplace_back();
    origins_.push_back(s);
    order.control = *control;
    order.placer_number = not_null(f_.component(s, 2, 1));
    order.filler_number = not_null(f_.component(s, 3, 1));
    order.reason = f_.component(s, 16, 2).empty() ? f_.component(s, 16, 1) : f_.component(s, 16, 2);
    order.priority = model::priority_from_code(f_.component(s, 7, 6));
    inherit(order);
    return std::nullopt;
  }

  // An OBR names one test of the current ORC's order (a second OBR under one ORC adds one more);
  // an OBR with no ORC before it (older ORM senders) is a new order of its own.
  std::optional<ParseError> add_request(const hl7::V2Segment& s) {
    if (orders_.empty()) {
      orders_.emplace_back();
      origins_.push_back(s);
      inherit(orders_.back());
    }
    auto& order = orders_.back();
    if (order.placer_number.empty())
      order.placer_number = not_null(f_.component(s, 2, 1));
    if (order.filler_number.empty())
      order.filler_number = not_null(f_.component(s, 3, 1));
    model::OrderedTest test{f_.component(s, 4, 1), f_.component(s, 4, 2), f_.component(s, 4, 3)};
    if (test.code.empty() && !test.text.empty())
      test.code = test.text;
    if (!test.code.empty())
      order.tests.push_back(std::move(test));
    auto priority = model::priority_from_code(f_.component(s, 27, 6));
    if (priority == model::Priority::Unknown)
      priority = model::priority_from_code(f_.field(s, 5));
    raise_priority(priority);
    if (order.collected_at.empty())
      order.collected_at = not_null(f_.component(s, 7, 1));
    return std::nullopt;
  }

  void read_specimen(const hl7::V2Segment& s) {
    auto id = not_null(f_.subcomponent(s, 2, 1, 1));
    if (id.empty())
      id = not_null(f_.subcomponent(s, 2, 2, 1));
    const auto collected = not_null(f_.component(s, 17, 1));
    if (layout_ == Layout::SpecimenFirst) {  // OML^O33: for the ORC groups that follow
      specimen_ = id;
      collected_ = collected;
      return;
    }
    if (!orders_.empty()) {  // OML^O21, ORM^O01: the SPM of the order before it
      auto& order = orders_.back();
      if (!id.empty())
        order.specimen_id = id;
      if (!collected.empty())
        order.collected_at = collected;
    }
  }

  void read_container(const hl7::V2Segment& s) {
    const auto container = not_null(f_.component(s, 3, 1));
    if (container.empty())
      return;
    if (layout_ == Layout::SpecimenFirst) {
      if (specimen_.empty())
        specimen_ = container;
    } else if (!orders_.empty() && orders_.back().specimen_id.empty()) {
      orders_.back().specimen_id = container;
    }
  }

  void inherit(model::LabOrder& order) const {
    order.patient = patient_;
    order.location = location_;
    order.specimen_id = specimen_;
    order.collected_at = collected_;
  }

  void raise_priority(model::Priority priority) {
    if (!orders_.empty() && priority > orders_.back().priority)
      orders_.back().priority = priority;
  }

  // The specimen falls back to the order numbers only once every segment has been read: an SPM
  // after the OBR (OML^O21) names it.
  std::optional<ParseError> check(model::LabOrder& order, const hl7::V2Segment& origin) const {
    if (order.specimen_id.empty())
      order.specimen_id = !order.filler_number.empty() ? order.filler_number : order.placer_number;
    if (order.specimen_id.empty()) {
      return segment_error(Errc::MalformedField, origin, 2,
                           "no specimen ID: SPM-2, SAC-3, OBR-3, OBR-2, ORC-3 and ORC-2 are all "
                           "empty");
    }
    if (order.tests.empty() && order.control == model::OrderControl::New) {
      return segment_error(Errc::MalformedField, origin, 4,
                           "a new order with no test: no OBR, or an empty OBR-4");
    }
    return std::nullopt;
  }

  const hl7::V2Message& message_;
  Hl7Fields f_;
  Layout layout_;
  std::optional<model::Patient> patient_;
  std::string location_;
  std::string specimen_;
  std::string collected_;
  std::vector<model::LabOrder> orders_;
  std::vector<hl7::V2Segment> origins_;
};

}  // namespace

Result<model::OrderMessage> read_hl7_orders(const hl7::V2Message& message) {
  const auto msh = message.find("MSH");
  if (!msh) {
    return ParseError{make_error_code(Errc::MissingRecord), "no MSH segment", 0};
  }
  const Hl7Fields f(message);
  model::OrderMessage out;
  out.control_id = f.field(*msh, 10);
  const auto code = f.component(*msh, 9, 1);
  const auto trigger = f.component(*msh, 9, 2);
  out.message_type = fmt::format("{}^{}", code, trigger);
  if (code == "ADT" && (trigger == "A08" || trigger == "A31")) {
    if (auto pid = message.find("PID")) {
      out.patient_update = patient_of(f, *pid);
      if (!out.patient_update->id.empty())
        return out;
    }
    return ParseError{make_error_code(Errc::MissingRecord),
                      "a patient update (ADT) without a PID-3 patient ID", 0};
  }
  Layout layout;
  if (code == "OML" && trigger == "O33") {
    layout = Layout::SpecimenFirst;
  } else if ((code == "OML" && trigger == "O21") || (code == "ORM" && trigger == "O01")) {
    layout = Layout::OrderFirst;
  } else {
    return segment_error(Errc::WrongInput, *msh, 9,
                         fmt::format("message type '{}' is not an order (OML^O21, OML^O33, "
                                     "ORM^O01) or a patient update (ADT^A08, ADT^A31)",
                                     out.message_type));
  }
  auto orders = OrderWalk(message, layout).run();
  if (!orders) {
    return orders.error();
  }
  out.orders = std::move(*orders);
  return out;
}

}  // namespace hemalink::drivers
