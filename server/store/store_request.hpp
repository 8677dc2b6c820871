#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocols/common/assert.hpp"
#include "protocols/common/error.hpp"
#include "server/records/stored_message.hpp"
#include "server/store/errc.hpp"

namespace hemalink::store {

/// One message for the store: stored in one transaction with its results, decisions and
/// outbox rows. Without content, the store's writer reads it (decode, translate, decide) just
/// before it stores the batch, off the connection's I/O thread, with the batch's previous
/// results read in one query.
struct StoreRequest {
  records::Receipt receipt;
  std::optional<records::MessageContent> content;
};

/// How a request ended. Stored, AlreadyStored, Duplicate and Spooled are durable: acknowledge
/// the analyzer. Failed is not: refuse (NAK, HL7 AE) so the analyzer sends it again.
enum class StoreOutcome { Stored, AlreadyStored, Duplicate, Spooled, Failed };

/// What became of a message: an outcome, not an error. A failed one carries the Error that failed
/// it; a durable one may carry a note.
struct Completion {
  using Clock = std::chrono::steady_clock;
  Completion() = default;
  /// A durable outcome and its note.
  Completion(StoreOutcome o, std::string note = {}) : outcome(o), detail(std::move(note)) {
    HL_ASSERT(o != StoreOutcome::Failed);
    if (o == StoreOutcome::Failed) {  // a bug; in a build without assertions the why is kept
      failure = Error{make_error_code(StoreErrc::Fatal), detail};
    }
  }
  /// Failed, by `why` (its code a StoreErrc).
  explicit Completion(Error why) : failure(std::move(why)) {}

  StoreOutcome outcome = StoreOutcome::Failed;
  /// Not an error: what it duplicates (Duplicate), why it was spooled (Spooled) or stored raw
  /// only (Stored).
  std::string detail;
  Error failure;  ///< What failed it, for Failed.
  /// What was read of the message; none when it was spooled before it could be read (an
  /// over-budget commit), or refused before it reached a writer.
  std::optional<records::ContentSummary> content;
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
using ReceiptReader =
    std::function<std::vector<records::MessageContent>(std::span<const records::Receipt* const>)>;

/// A ReceiptReader that reads each receipt alone with `read`.
ReceiptReader read_each(std::function<records::MessageContent(const records::Receipt&)> read);

const char* to_string(StoreOutcome outcome);

}  // namespace hemalink::store
