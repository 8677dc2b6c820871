#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/wire_protocol.hpp"

namespace hemalink::simulate {

/// The faults lis-sim injects, each on every Nth message it receives (0: never), counted over
/// all connections from 1.
struct LisSimFaults {
  unsigned ack_every = 1;  ///< Acknowledge only every Nth message; stay silent on the others.
  unsigned nack_every = 0;
  unsigned silent_every = 0;
  unsigned late_ack_every = 0;  ///< Withheld, sent just before the next message's reply.
  unsigned drop_connection_every = 0;
};

/// How lis-sim answers one message. Drop wins over Silent, Silent over Late, Late over Nack.
enum class LisSimReply { Ack, Nack, Silent, Late, Drop };

LisSimReply reply_for(std::uint64_t sequence, const LisSimFaults& faults);
const char* to_string(LisSimReply reply);

/// What lis-sim read of a message it received, and how it answers it.
struct LisSimMessage {
  std::uint64_t sequence = 0;
  double at_ms = 0;         ///< When it arrived, in milliseconds since lis-sim started.
  std::string control_id;   ///< HL7 MSH-10, ASTM H-3.
  std::string specimen_id;  ///< HL7 SPM-2.2, else OBR-3; ASTM O-3.
  std::vector<std::string> placer_numbers;  ///< HL7 OBR-2 of each order group, when set.
  std::vector<std::string> codes;           ///< OBX-3.1 / R-3.4.
  std::vector<std::string> values;          ///< OBX-5 unescaped (SN: "<^0.27") / R-4.
  std::vector<std::string> statuses;        ///< OBX-11 / R-9.
  LisSimReply answer = LisSimReply::Ack;
  std::string reply;          ///< How it was answered (to_string(LisSimReply)).
  bool is_duplicate = false;  ///< Its control ID came before.
  std::string error;          ///< Why it could not be read, when it could not.
};

/// Reads a received message (HL7 segments or ASTM records, framing removed), best effort.
LisSimMessage read_lis_message(std::string_view payload, model::WireProtocol protocol);

struct LisSimTotals {
  std::uint64_t received = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t refused = 0;
  std::uint64_t silent = 0;
  std::uint64_t late = 0;
  std::uint64_t dropped = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t distinct_control_ids = 0;
  std::uint64_t connections = 0;
};

/// Everything lis-sim received, over all connections (thread-safe): numbers each message, says
/// how to answer it, counts, and writes each as a JSON line to the record file when there is one.
class LisSimLedger {
 public:
  LisSimLedger(LisSimFaults faults, model::WireProtocol protocol,
               const std::filesystem::path& record_file);

  /// Numbers `payload`, reads it, decides its reply, records it; returns the record.
  LisSimMessage receive(std::string_view payload);
  void count_connection();
  LisSimTotals totals() const;
  std::vector<LisSimMessage> messages() const;

 private:
  LisSimFaults faults_;
  model::WireProtocol protocol_;
  mutable std::mutex mutex_;
  std::ofstream record_;
  std::vector<LisSimMessage> messages_;
  std::set<std::string> control_ids_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  LisSimTotals totals_;
};

/// One line of JSON for a received message, as --record writes it.
std::string to_json_line(const LisSimMessage& message);

}  // namespace hemalink::simulate
