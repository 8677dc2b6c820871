#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/model/wire_protocol.hpp"
#include "server/simulate/lab_day.hpp"

namespace hemalink::simulate {

using LabClock = std::chrono::system_clock::time_point;

/// The day's tubes and control runs of one bench, as its analyzer sends them, measured from
/// `day_start` on: the Sysmex XN's LIS02-A2 records (ordered parameters, IP messages, a host
/// query before each tube when `with_queries`), the Sysmex CS's (ordered parameters, a sample
/// check failure as R-7 `W`), or the BD FACS results as FACSLink relays them (HL7 ORU^R01,
/// LOINC).
std::vector<std::string> bench_traffic(const LabDay& day, Bench bench, LabClock day_start,
                                       bool with_queries);

/// A message of a bench's traffic and when the analyzer sends it: a control run at its minute, a
/// tube when it is measured (20 minutes after it was drawn), and each a second after the message
/// before it at least.
struct SentMessage {
  std::string text;
  LabClock at;
};

/// bench_traffic with the time each message is sent.
std::vector<SentMessage> timed_bench_traffic(const LabDay& day, Bench bench, LabClock day_start,
                                             bool with_queries);

/// The first `count` hematology tubes of a hospital lab day (seed `seed`): the traffic of the
/// benchmarks. ASTM as the Sysmex XN sends them; HL7 as ORU^R01 with LOINC-coded results (a
/// generic-hl7 analyzer on the loinc-cbc table) and the same IP messages as OBX (name in OBX-3,
/// Q-flag score in OBX-5, A in OBX-8), so that both give the same specimen flags.
std::vector<std::string> lab_day_cbc_messages(model::WireProtocol protocol, std::size_t count,
                                              std::uint32_t seed);

/// The LIS's order for one tube: an HL7 v2.5.1 OML^O21 with the patient (PID, PV1 location and
/// class), the priority (TQ1), one OBR per ordered code and the tube (SPM).
std::string lis_order(const LabDay& day, const LabSpecimen& specimen, LabClock day_start);

}  // namespace hemalink::simulate
