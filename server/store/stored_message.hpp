#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/model/decision.hpp"
#include "drivers/model/message_id.hpp"
#include "drivers/model/result_set.hpp"
#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/parse_error.hpp"
#include "server/store/average_point.hpp"
#include "server/store/control_judgement.hpp"

namespace hemalink::store {

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
  /// How quality control judged the message's control results (none for patient results).
  std::vector<ControlJudgement> control_judgements;
  /// The patient-based averages its patient results completed (XbarM batches, MA/EWMA points).
  std::vector<AveragePointRow> average_points;

  /// What a message refused before it could be read (a framing or link error) is: rejected,
  /// with the error's description and byte offset.
  static MessageContent rejected(const ParseError& error);
};

/// One message for the store: stored in one transaction with its results, decisions and
/// outbox rows. Without content, the store's writer reads it (decode, translate, decide) just
/// before it stores the batch, off the connection's I/O thread, with the batch's previous
/// results read in one query.
struct StoreRequest {
  Receipt receipt;
  std::optional<MessageContent> content;
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
  std::size_t held = 0;
  std::size_t other = 0;                 ///< Rerun or reject.
  std::vector<std::string> rules_fired;  ///< The rule of every firing (a rule once per result).
};

ContentSummary summarize(const MessageContent& content);

/// How a request ended. Stored, AlreadyStored, Duplicate and Spooled are durable: acknowledge
/// the analyzer. Failed is not: refuse (NAK, HL7 AE) so the analyzer sends it again.
enum class StoreOutcome { Stored, AlreadyStored, Duplicate, Spooled, Failed };

struct Completion {
  using Clock = std::chrono::steady_clock;
  Completion() = default;
  Completion(StoreOutcome o, std::string d = {}) : outcome(o), detail(std::move(d)) {}

  StoreOutcome outcome = StoreOutcome::Failed;
  std::string detail;  ///< Why, for Failed; what it duplicates, for Duplicate.
  /// What was read of the message; none when it was spooled before it could be read (an
  /// over-budget commit), or refused before it reached a writer.
  std::optional<ContentSummary> content;
  Clock::time_point read_at{};       ///< When its content was ready (zero: never read).
  Clock::time_point committed_at{};  ///< When its commit or spool returned (zero: neither).
  /// A sink that answers for itself (a LIS's order feed) writes its HL7 answers: the
  /// acknowledgement of original mode (an ACK, AE naming each test it does not know) in place of
  /// the session's own, and the application acknowledgement (ORL^O22, ORL^O34, ORR^O02) sent when
  /// the sender asks for one (MSH-16). Empty: the session writes its own.
  std::string original_ack;
  std::string application_ack;
  bool answer_has_errors = false;  ///< Those answers say AE: something in it was not accepted.
};

inline bool is_durable(StoreOutcome outcome) {
  return outcome != StoreOutcome::Failed;
}

/// Called once per request, on a store thread, after the commit or the spool's fsync. Keep it
/// short: post the acknowledgement to the session's own thread.
using CompletionHandler = std::function<void(const Completion&)>;

/// Reads receipts into what the store keeps (decode, translate, decide), one content per receipt,
/// in order, a batch at a time (previous results for the rules are read once for the batch):
/// on a writer thread, for messages as they arrive and for spooled ones when the spool is
/// replayed, with the configuration and rules in force then.
using ReceiptReader = std::function<std::vector<MessageContent>(std::span<const Receipt* const>)>;

/// A ReceiptReader that reads each receipt alone with `read`.
ReceiptReader read_each(std::function<MessageContent(const Receipt&)> read);

const char* to_string(Direction direction);
using model::to_string;
const char* to_string(MessageStatus status);
const char* to_string(StoreOutcome outcome);

}  // namespace hemalink::store
