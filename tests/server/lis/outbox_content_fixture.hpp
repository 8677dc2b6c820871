#pragma once

#include <chrono>
#include <string>

#include "server/lis/lis_config.hpp"
#include "server/lis/outbox.hpp"

namespace hemalink::testing {

inline lis::OutboxResult numeric_result(long long id, std::string code, std::string value,
                                        std::string units, std::string range) {
  lis::OutboxResult r;
  r.id = id;
  r.code = std::move(code);
  r.raw_code = r.code;
  r.value = value;
  r.numeric_value = std::stod(value);
  r.units = std::move(units);
  r.reference_range = std::move(range);
  r.abnormal_flag = "N";
  r.status = "final";
  r.measured_at = "20261122101500";
  return r;
}

/// Outbox row 42 of specimen SP-1 (patient P-77) from xn-1: WBC (LOINC-coded), a D-dimer below
/// its limit (<0.27, canonical code only) and a text result with a comment.
inline lis::OutboxContent outbox_content() {
  lis::OutboxContent c;
  c.outbox_id = 42;
  c.destination = "lis";
  c.created_at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + std::chrono::hours(9) +
                 std::chrono::minutes(30);
  c.specimen.specimen_id = "SP-1";
  c.specimen.sample_type = "Whole blood";
  c.specimen.patient_id = "P-77";
  c.specimen.patient_sex = "F";
  c.specimen.patient_birth_date = "19720101";
  c.specimen.analyzer = "xn-1";
  c.specimen.driver = "sysmex-xn";
  c.specimen.comments = {"hemolysed | slightly"};
  c.specimen.received_at = c.created_at;
  auto wbc = numeric_result(1, "WBC", "6.10", "10*3/uL", "4.0-10.0");
  wbc.loinc = "6690-2";
  c.results.push_back(wbc);
  auto ddimer = numeric_result(2, "DDIMER", "0.27", "mg/L FEU", "");
  ddimer.value = "<0.27";
  ddimer.comparator = "<";
  c.results.push_back(ddimer);
  lis::OutboxResult text;
  text.id = 3;
  text.code = "HBSAG";
  text.raw_code = "HBSAG";
  text.value = "Negative";
  text.status = "final";
  text.comments = {"checked on smear"};
  c.results.push_back(text);
  return c;
}

inline lis::LisDestination lis_destination(
    model::WireProtocol protocol = model::WireProtocol::Hl7) {
  lis::LisDestination d;
  d.name = "lis";
  d.protocol = protocol;
  d.sending_facility = "LAB";
  d.receiving_application = "LIS";
  d.receiving_facility = "HOSP";
  d.processing_id = lis::ProcessingId::Training;
  return d;
}

}  // namespace hemalink::testing
