#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::lis {

/// An outbox row as operators see it (`hemalink outbox`); times are ISO 8601 text.
struct OutboxRow {
  long long id = 0;
  std::string destination;
  std::string specimen_id;
  std::string status;
  int attempts = 0;
  std::string control_id;
  std::string last_error;
  std::string claimed_by;
  std::string created_at;
  std::string next_attempt_at;
  std::string sent_at;
  std::vector<long long> result_ids;
  std::vector<long long> corrects;
  std::string payload;  ///< The message built (segments or records); empty until claimed.
};

/// What waits per destination: for metrics and `outbox list`.
struct OutboxDepth {
  std::string destination;
  long long pending = 0;
  long long dead = 0;
  double oldest_pending_age_s = 0;
};

struct OutboxFilter {
  std::optional<std::string> destination;
  std::optional<std::string> status;  ///< pending, sent or dead.
  std::size_t limit = 100;
};

/// The outbox as operators handle it (`hemalink outbox`, the API). Every change is written to
/// audit_log with `actor` (user:NAME) in the same transaction. Callable from any thread; errors
/// carry a store::StoreErrc.
class OutboxAdmin {
 public:
  virtual ~OutboxAdmin() = default;

  /// Newest first.
  virtual Result<std::vector<OutboxRow>, Error> list(const OutboxFilter& filter) const = 0;
  /// The rows newest first as a JSON array, without their payloads (times as PostgreSQL writes
  /// them in JSON): what the API lists.
  virtual Result<std::string, Error> list_json(const OutboxFilter& filter) const = 0;
  virtual Result<std::optional<OutboxRow>, Error> show(long long id) const = 0;
  /// Sends a sent or dead row again: pending now, attempts from zero, the same message and
  /// control ID. Fails with Conflict naming the status when the row is pending already, or
  /// absent.
  virtual Result<void, Error> resend(long long id, const std::string& actor) const = 0;
  /// Every dead row (of `destination`, when given) pending again; returns how many.
  virtual Result<long long, Error> retry_dead(const std::optional<std::string>& destination,
                                              const std::string& actor) const = 0;
  virtual Result<std::vector<OutboxDepth>, Error> depths() const = 0;
};

}  // namespace hemalink::lis
