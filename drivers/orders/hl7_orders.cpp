// Orders from a LIS in HL7 v2 (2.3.1 to 2.5.1): OML^O21, OML^O33 (IHE LAW), ORM^O01, and the
// patient updates of ADT^A08/A31. Read by the messages' group structure (HL7 v2.5.1 chapter 4):
//
//   OML^O21  PATIENT { ORDER: ORC [TQ1] [OBSERVATION REQUEST: OBR [NTE] [OBX] {SPECIMEN: SPM
//   [SAC]}] } OML^O33  PATIENT { SPECIMEN: SPM [OBX] [SAC] { ORDER: ORC [TQ1] [OBR [NTE]] } }
//   ORM^O01  PATIENT { ORDER: ORC [OBR [NTE] [OBX]] }, and an SPM after the OBR (v2.5 senders)
//
// Every ORC, OBR and SPM counts: an observation request with two specimens orders its test on
// both, two requests on one specimen are two orders on it. The shapes real LIS send are read too
// (../shared/docs/protocols.md §5.x): several OBR under one ORC (each its own request), an OBR with
// no ORC before it (older ORM senders), the barcode in SAC-3 or only in the order numbers,
// placeholder text in demographic fields.
#include "drivers/orders/hl7_orders.hpp"

#include <fmt/format.h>

#include "drivers/common/demographics.hpp"
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

model::Patient patient_of(const Hl7Fields& f, const hl7::V2Segment& pid) {
  model::Patient p;
  p.id = demographic_text(not_null(f.component(pid, 3, 1)));
  if (p.id.empty()) {
    p.id = demographic_text(not_null(f.component(pid, 2, 1)));  // v2.3 external ID
  }
  p.birth_date = birth_date(f.component(pid, 7, 1));
  p.sex = patient_sex(not_null(f.field(pid, 8)));
  return p;
}

model::CodedValue coded(const Hl7Fields& f, const hl7::V2Segment& s, std::size_t field) {
  return {not_null(f.component(s, field, 1)), f.component(s, field, 2), f.component(s, field, 3)};
}

void append_line(std::string& text, std::string_view line) {
  if (line.empty())
    return;
  if (!text.empty())
    text.push_back('\n');
  text.append(line);
}

// SPECIMEN: SPM and its containers.
struct Specimen {
  std::string id;
  model::CodedValue type;
  std::string source;
  std::string collected;
};

// OBSERVATION REQUEST: one OBR, the test it orders, and (OML^O21, ORM^O01) its specimens.
struct Request {
  model::OrderedTest test;
  std::string placer;
  std::string filler;
  std::string collected;
  model::CodedValue specimen_type;  // OBR-15 (v2.3 specimen source)
  model::Priority priority = model::Priority::Unknown;
  std::string comment;
  std::vector<Specimen> specimens;
};

// ORDER: one ORC (or an OBR with none before it) with what applies to all its requests.
struct OrderGroup {
  explicit OrderGroup(hl7::V2Segment from) : origin(from) {}

  model::OrderControl control = model::OrderControl::New;
  std::string placer;
  std::string filler;
  std::string reason;
  model::Priority priority = model::Priority::Unknown;
  std::string comment;
  std::optional<model::Patient> patient;
  std::string location;
  std::optional<Specimen> specimen;  // OML^O33: the SPECIMEN group it sits in
  std::vector<Request> requests;
  hl7::V2Segment origin;
};

enum class Layout { SpecimenFirst, OrderFirst };

// Where an NTE, OBX or SAC belongs: the segment group open when it comes.
enum class Open { Nothing, Order, Request, RequestSpecimen, GroupSpecimen };

class OrderWalk {
 public:
  OrderWalk(const hl7::V2Message& message, Layout layout)
      : message_(message), f_(message), layout_(layout) {}

  Result<std::vector<model::LabOrder>> run() {
    for (std::size_t i = 0; i < message_.segment_count(); ++i) {
      if (auto stepped = step(message_.segment(i)); !stepped) {
        return stepped.error();
      }
    }
    if (groups_.empty()) {
      return ParseError{make_error_code(Errc::MissingRecord),
                        "no ORC or OBR segment: the message orders nothing", 0};
    }
    return orders();
  }

 private:
  Result<void, ParseError> step(const hl7::V2Segment& s) {
    const auto id = s.id();
    if (id == "PID") {
      patient_ = patient_of(f_, s);
      location_.clear();
      specimen_.reset();
      open_ = Open::Nothing;
    } else if (id == "PV1") {
      location_ = demographic_text(not_null(f_.component(s, 3, 1)));
    } else if (id == "SPM") {
      read_specimen(s);
    } else if (id == "SAC") {
      read_container(s);
    } else if (id == "ORC") {
      return start_order(s);
    } else if (id == "TQ1") {
      if (!groups_.empty())
        raise(groups_.back().priority, model::priority_from_code(f_.component(s, 9, 1)));
    } else if (id == "OBR") {
      add_request(s);
    } else if (id == "NTE") {
      read_note(s);
    } else if (id == "OBX" && open_ == Open::Request) {
      open_ = Open::Nothing;  // an NTE after it notes the observation, not the order
    }
    return {};
  }

  Result<void, ParseError> start_order(const hl7::V2Segment& s) {
    const auto code = f_.field(s, 1);
    const auto control = model::order_control_from_hl7(code);
    if (!control) {
      return segment_error(Errc::MalformedField, s, 1,
                           fmt::format("order control '{}' is not one hemalink acts on (NW, NA, "
                                       "XO, XX, RP, RU, CA, OC, DC, OD, SC, OK, SS)",
                                       code));
    }
    auto& group = new_group(s);
    group.control = *control;
    group.placer = not_null(f_.component(s, 2, 1));
    group.filler = not_null(f_.component(s, 3, 1));
    group.reason = f_.component(s, 16, 2).empty() ? f_.component(s, 16, 1) : f_.component(s, 16, 2);
    group.priority = model::priority_from_code(f_.component(s, 7, 6));
    return {};
  }

  OrderGroup& new_group(const hl7::V2Segment& origin) {
    auto& group = groups_.emplace_back(origin);
    group.patient = patient_;
    group.location = location_;
    group.specimen = specimen_;
    open_ = Open::Order;
    return group;
  }

  // A second OBR under one ORC is a request of its own in the same order group; an OBR with no
  // ORC before it (older ORM senders), or one after a new SPM in OML^O33 (without its ORC), starts
  // a group of its own, on that specimen.
  void add_request(const hl7::V2Segment& s) {
    if (groups_.empty() || open_ == Open::GroupSpecimen) {
      new_group(s);  // OML^O33: an SPM since the last ORC starts a new specimen's order
    }
    auto& request = groups_.back().requests.emplace_back();
    ++requests_seen_;
    request.test = {f_.component(s, 4, 1), f_.component(s, 4, 2), f_.component(s, 4, 3),
                    requests_seen_};
    if (request.test.code.empty())
      request.test.code = request.test.text;
    request.placer = not_null(f_.component(s, 2, 1));
    request.filler = not_null(f_.component(s, 3, 1));
    request.collected = not_null(f_.component(s, 7, 1));
    request.specimen_type = coded(f_, s, 15);
    request.priority = model::priority_from_code(f_.component(s, 27, 6));
    if (request.priority == model::Priority::Unknown)
      request.priority = model::priority_from_code(f_.field(s, 5));
    open_ = Open::Request;
  }

  Specimen specimen_of(const hl7::V2Segment& s) const {
    Specimen sp;
    sp.id = not_null(f_.subcomponent(s, 2, 1, 1));
    if (sp.id.empty())
      sp.id = not_null(f_.subcomponent(s, 2, 2, 1));
    sp.type = coded(f_, s, 4);
    sp.source = not_null(f_.component(s, 8, 1));
    sp.collected = not_null(f_.component(s, 17, 1));
    return sp;
  }

  void read_specimen(const hl7::V2Segment& s) {
    if (layout_ == Layout::SpecimenFirst) {  // OML^O33: for the ORDER groups that follow
      specimen_ = specimen_of(s);
      open_ = Open::GroupSpecimen;
      return;
    }
    if (!groups_.empty() && !groups_.back().requests.empty()) {  // of the request before it
      groups_.back().requests.back().specimens.push_back(specimen_of(s));
      open_ = Open::RequestSpecimen;
    }
  }

  // SAC-3, the container's barcode, names a specimen whose SPM-2 is empty.
  void read_container(const hl7::V2Segment& s) {
    const auto container = not_null(f_.component(s, 3, 1));
    Specimen* sp = nullptr;
    if (open_ == Open::GroupSpecimen && specimen_) {
      sp = &*specimen_;
    } else if (open_ == Open::RequestSpecimen) {
      sp = &groups_.back().requests.back().specimens.back();
    }
    if (sp && sp->id.empty())
      sp->id = container;
  }

  void read_note(const hl7::V2Segment& s) {
    const auto text = f_.field(s, 3);
    if (open_ == Open::Request) {
      append_line(groups_.back().requests.back().comment, text);
    } else if (open_ == Open::Order) {
      append_line(groups_.back().comment, text);
    }
  }

  static void raise(model::Priority& priority, model::Priority to) {
    if (to > priority)
      priority = to;
  }

  // Each (request, specimen) pair becomes a test of the order on that specimen with that placer
  // number: requests that share both are one order with several tests.
  Result<std::vector<model::LabOrder>> orders() const {
    std::vector<model::LabOrder> out;
    for (const auto& group : groups_) {
      if (group.requests.empty()) {
        if (auto placed = place(group, nullptr, specimen_of_group(group), out); !placed)
          return placed.error();
        continue;
      }
      for (const auto& request : group.requests) {
        std::vector<Specimen> specimens = request.specimens;
        if (specimens.empty())
          specimens.push_back(specimen_of_group(group));
        for (const auto& specimen : specimens) {
          if (auto placed = place(group, &request, specimen, out); !placed)
            return placed.error();
        }
      }
    }
    return out;
  }

  // For a request with no SPM of its own: the SPECIMEN group the order sits in (OML^O33), else the
  // first specimen another request of the same ORC names (a LIS that sends several OBR under one
  // ORC and one SPM after the last means that tube for all of them).
  static Specimen specimen_of_group(const OrderGroup& group) {
    if (group.specimen)
      return *group.specimen;
    for (const auto& request : group.requests) {
      if (!request.specimens.empty())
        return request.specimens.front();
    }
    return {};
  }

  Result<void, ParseError> place(const OrderGroup& group, const Request* request,
                                 const Specimen& specimen,
                                 std::vector<model::LabOrder>& out) const {
    const auto placer = !group.placer.empty() || !request ? group.placer : request->placer;
    const auto filler = !group.filler.empty() || !request ? group.filler : request->filler;
    auto specimen_id = specimen.id;
    if (specimen_id.empty())
      specimen_id = !filler.empty() ? filler : placer;
    if (specimen_id.empty()) {
      return segment_error(Errc::MalformedField, group.origin, 2,
                           "no specimen ID: SPM-2, SAC-3, OBR-3, OBR-2, ORC-3 and ORC-2 are all "
                           "empty");
    }
    if (group.control == model::OrderControl::New && (!request || request->test.code.empty())) {
      return segment_error(Errc::MalformedField, group.origin, 4,
                           "a new order with no test: no OBR, or an empty OBR-4");
    }
    auto& order = order_for(out, group, specimen_id, placer);
    if (order.filler_number.empty())
      order.filler_number = filler;
    keep_specimen_details(order, specimen);
    if (!request)
      return {};
    if (!request->test.code.empty())
      order.tests.push_back(request->test);
    raise(order.priority, request->priority);
    if (order.collected_at.empty())
      order.collected_at = request->collected;
    if (order.specimen_type.empty())
      order.specimen_type = request->specimen_type;
    append_line(order.comment, request->comment);
    return {};
  }

  static model::LabOrder& order_for(std::vector<model::LabOrder>& out, const OrderGroup& group,
                                    const std::string& specimen_id, const std::string& placer) {
    for (auto& o : out) {
      if (o.specimen_id == specimen_id && o.placer_number == placer && o.control == group.control)
        return o;
    }
    auto& order = out.emplace_back();
    order.control = group.control;
    order.placer_number = placer;
    order.specimen_id = specimen_id;
    order.patient = group.patient;
    order.location = group.location;
    order.priority = group.priority;
    order.reason = group.reason;
    order.comment = group.comment;
    return order;
  }

  static void keep_specimen_details(model::LabOrder& order, const Specimen& specimen) {
    if (!specimen.collected.empty())
      order.collected_at = specimen.collected;
    if (!specimen.type.empty())
      order.specimen_type = specimen.type;
    if (!specimen.source.empty())
      order.specimen_source = specimen.source;
  }

  const hl7::V2Message& message_;
  Hl7Fields f_;
  Layout layout_;
  std::optional<model::Patient> patient_;
  std::string location_;
  std::optional<Specimen> specimen_;
  std::vector<OrderGroup> groups_;
  Open open_ = Open::Nothing;
  std::size_t requests_seen_ = 0;
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
