#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/model/decision.hpp"
#include "drivers/model/message_id.hpp"
#include "drivers/model/result_set.hpp"
#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/parse_error.hpp"
#include "server/records/average_point.hpp"
#include "server/records/control_judgement.hpp"

namespace hemalink::records {

enum class Direction { In, Out };
using model::WireProtocol;

/// accepted: decoded and translated; rejected: did not parse or translate; incomplete: the link
/// ended it before its terminator; duplicate: the same analyzer already sent the same bytes (a
/// retransmission after a lost acknowledgement), so its results are not stored again.
enum class MessageStatus { Accepted, Rejected, Incomplete, Duplicate };

/// What arrived, as it arrived: everything needed to decode it again. This is what the spool
/// keeps while the database is away.
struct Receipt {
  model::MessageId id;
  std::string analyzer;  ///< The analyzer's name in the configuration.
  std::string driver;    ///< The driver that translates it (`sysmex-xn`).
  Direction direction = Direction::In;
  WireProtocol protocol = WireProtocol::Astm;
  std::string peer_address;
  std::chrono::system_clock::time_point received_at;
  std::string raw;  ///< Records or segments, link framing removed.
  /// Incomplete when the link ended the message early; the reason says how.
  MessageStatus link_status = MessageStatus::Accepted;
  std::string link_reason;

  /// A message that arrives now from the configured `analyzer` (translated by `driver`) over
  /// `protocol`, from `peer_address`: a new ID, received now.
  static Receipt arrived(std::string analyzer, std::string driver, WireProtocol protocol,
                         std::string peer_address, std::string raw,
                         Direction direction = Direction::In);
};

/// What hemalink made of a receipt: its status, the result sets, and one decision per
/// observation (`decisions[set][observation]`).
struct MessageContent {
  MessageStatus status = MessageStatus::Accepted;
  std::string reject_reason;
  std::optional<std::int64_t> error_offset;
  std::string control_id;
  std::vector<model::ResultSet> result_sets;
  std::vector<std::vector<model::Decision>> decisions;
  /// What the rule set in shadow would have decided of each observation (empty: none in
  /// shadow). Stored beside the decisions, never acted on.
  std::vector<std::vector<model::Decision>> shadow_decisions;
  /// How quality control judged the message's control results (none for patient results).
  std::vector<ControlJudgement> control_judgements;
  /// The patient-based averages its patient results completed (XbarM batches, MA/EWMA points).
  std::vector<AveragePointRow> average_points;

  /// What a message refused before it could be read (a framing or link error) is: rejected,
  /// with the error's description and byte offset.
  static MessageContent rejected(const ParseError& error);
};

/// What an acknowledgement and the log need of what was read: no patient names or birth dates,
/// only specimen IDs, counts and decisions.
struct ContentSummary {
  MessageStatus status = MessageStatus::Accepted;
  std::string reason;  ///< Why it was rejected or is incomplete, when it is.
  std::optional<std::int64_t> error_offset;
  std::string specimens;  ///< Specimen IDs, comma-separated.
  std::size_t results = 0;
  std::size_t released = 0;
  std::size_t held = 0;   ///< Patients' results held for review.
  std::size_t other = 0;  ///< Rerun or reject.
  /// Results of controls and calibrators, whatever the rules decided: judged by QC, never in
  /// the review queue nor counted as released or held.
  std::size_t controls = 0;
  std::vector<std::string> rules_fired;  ///< The rule of every firing (a rule once per result).
};

ContentSummary summarize(const MessageContent& content);

const char* to_string(Direction direction);
using model::to_string;
const char* to_string(MessageStatus status);

}  // namespace hemalink::records
