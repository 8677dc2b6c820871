#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace pqxx {
class transaction_base;
}

namespace hemalink::lis {

class DeliveredMarks;

/// A released result as a LIS message carries it: read from `results`.
struct OutboxResult {
  long long id = 0;
  std::string code;
  std::string raw_code;
  std::string loinc;
  std::string value;
  std::optional<double> numeric_value;
  std::string comparator;
  std::string units;
  std::string reference_range;
  std::string abnormal_flag;
  std::string status;  ///< final, preliminary, corrected, cannot_report.
  std::string measured_at;
  std::optional<int> decimals;
  std::vector<std::string> comments;
  /// The LIS already has this test of this specimen from an earlier row sent to the same
  /// destination: this one is a correction.
  bool is_correction = false;
  /// The order of this destination's LIS that asked for the test (the latest, when several
  /// did): its placer and filler numbers and the code the LIS ordered. Empty: none asked.
  std::string placer_number;
  std::string filler_number;
  std::string ordered_code;
};

/// The specimen of an outbox row: read from `specimens` and `analyzers`.
struct OutboxSpecimen {
  std::string specimen_id;
  std::string sample_type;
  std::string patient_id;
  std::string patient_sex;
  std::string patient_birth_date;
  std::string analyzer;
  std::string driver;
  std::vector<std::string> comments;
  std::chrono::system_clock::time_point received_at;
};

/// Everything a LIS message of one outbox row is built from: database rows only, so a message
/// built again is the same message.
struct OutboxContent {
  long long outbox_id = 0;
  std::string destination;
  std::chrono::system_clock::time_point created_at;
  OutboxSpecimen specimen;
  std::vector<OutboxResult> results;
};

/// A message built for a row: its control ID and its bytes (segments or records, no framing).
struct BuiltMessage {
  std::string control_id;
  std::string payload;
};

/// Builds a row's message, or says why it cannot be built (a lis::Errc; the row is then dead).
using BuildMessage = std::function<Result<BuiltMessage, Error>(const OutboxContent&)>;

/// A row this node holds and may send.
struct ClaimedRow {
  long long id = 0;
  std::string specimen_id;
  std::string control_id;
  std::string payload;
  int attempts = 0;  ///< Attempts before this claim.
  /// Its results the LIS already has (sent as corrections), kept with the row.
  std::vector<long long> corrects;
};

/// Why an attempt failed, for last_error, and whether the row goes on.
struct FailedAttempt {
  std::string reason;
  std::chrono::milliseconds retry_after{0};
  int max_attempts = 1;
};

/// A delivered row: the message and the acknowledgement as they went over the wire (framing
/// removed), for `messages`.
struct Delivery {
  std::string sent;
  std::string acknowledgement;  ///< Empty when the protocol has none to keep (ASTM).
  std::string peer;
  std::chrono::system_clock::time_point sent_at;
  std::chrono::system_clock::time_point acknowledged_at;
};

/// The sender's side of the outbox for one destination (blocking), on two connections of its
/// own: one claims and holds the claimed rows, the other marks attempts, so the next claim can
/// be made on one thread while rows are sent and marked on another (claim() and release() from
/// one thread, delivered(), failed() and until_next_due() from one thread). A claim holds each
/// row by a session advisory lock until the row is delivered, fails or is let go: other nodes
/// skip held rows, and a node that dies lets go of its rows with its connection. Rows of one
/// specimen are claimed in the order they were written: a row waits while an earlier one of its
/// specimen is pending (waiting or in flight).
class OutboxSender {
 public:
  OutboxSender(std::string dsn, std::string destination, std::string protocol, std::string node);
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  /// Claims up to `limit` due rows, oldest first, with the message each was sent with before, or
  /// for a row never attempted the message `build` makes of its content (kept with the first
  /// attempt's outcome, so every later attempt sends the same bytes). A row that cannot be built
  /// is dead. Retryable when the database cannot be reached (held rows are then let go: the
  /// connection is gone).
  Result<std::vector<ClaimedRow>, store::StoreError> claim(std::size_t limit,
                                                           const BuildMessage& build);

  /// The row was acknowledged: it is sent, and the message and its acknowledgement are kept.
  /// hand_delivered() then settle_delivered().
  Result<void, store::StoreError> delivered(const ClaimedRow& row, const Delivery& delivery);
  /// Hands the mark of an acknowledged row to PostgreSQL (settling the one before) and returns
  /// before its answer: PostgreSQL runs it even if this process dies now, so the next message
  /// may go to the LIS meanwhile. Settle it before failed(), until_next_due() or stopping.
  Result<void, store::StoreError> hand_delivered(const ClaimedRow& row, const Delivery& delivery);
  /// Waits for the mark handed over, if any; its error names the row.
  Result<void, store::StoreError> settle_delivered();
  /// The attempt failed: counted, and the row waits `retry_after`, or is dead at max_attempts.
  /// Returns true when the row is dead.
  Result<bool, store::StoreError> failed(const ClaimedRow& row, const FailedAttempt& why);
  /// Lets go at once of rows claimed but not attempted (the connection closed first), so another
  /// node may send them.
  void release(const std::vector<ClaimedRow>& rows);

  /// How long until the next row of this destination is due (back-off), at most `limit`.
  std::chrono::milliseconds until_next_due(std::chrono::milliseconds limit);

  void disconnect();

 private:
  struct Session;
  Session& claims();
  Session& marks();
  void finish(long long id);
  void build_claimed(pqxx::transaction_base& tx, const std::vector<long long>& ids,
                     const BuildMessage& build, std::vector<ClaimedRow>& rows);

  std::string dsn_;
  std::string destination_;
  std::string protocol_;
  std::string node_;
  std::unique_ptr<Session> claims_;  // holds the claimed rows' advisory locks
  std::unique_ptr<Session> marks_;
  std::unique_ptr<DeliveredMarks> delivered_marks_;
  std::optional<long long> pending_mark_;
  std::vector<long long> held_;
  std::mutex finished_mutex_;
  std::vector<long long> finished_;  // held rows delivered or failed: unlocked at the next claim
};

}  // namespace hemalink::lis
