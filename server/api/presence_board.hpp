#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/common/result.hpp"
#include "server/api/event_hub.hpp"

namespace hemalink::api {

/// What a page says it has open now: {"type": "presence", "specimen_row_id": N or null}.
struct PresenceClaim {
  std::optional<long long> specimen_row_id;  ///< nullopt: no specimen.
};

/// The claim in a message a client sent over the events socket, or why it is not one.
Result<PresenceClaim, std::string> presence_claim(std::string_view message);

/// Who has which specimen open, by events socket (a session: one page in one tab), so that two
/// technologists do not work the same specimen unknowingly. Each change is a `presence` event
/// {user, session, specimen_row_id} on the hub, and a socket's end clears its presence with one.
/// Thread-safe; each change is published under the board's lock, so the events of a session come
/// in the order of its changes and a snapshot is never newer than the events after it.
class PresenceBoard {
 public:
  explicit PresenceBoard(EventHub& hub) : hub_(hub) {}

  /// A socket of `user` opened: its session ID (never reused).
  std::uint64_t join(const std::string& user);
  /// The session's page has `specimen_row_id` open now (nullopt: none); published when it
  /// changed.
  void open(std::uint64_t session, std::optional<long long> specimen_row_id);
  /// The socket closed: its specimen, if it had one, is cleared by an event.
  void leave(std::uint64_t session);
  /// What a socket that just subscribed is told first: {"type": "presence_snapshot", "session":
  /// its own ID, "present": [{user, session, specimen_row_id}]} of every session with a specimen
  /// open. Applied before the events that follow it, it gives who has what open.
  std::string snapshot(std::uint64_t session) const;

 private:
  struct Present {
    std::string user;
    std::optional<long long> specimen_row_id;
  };
  void publish(std::uint64_t session, const Present& p);

  EventHub& hub_;
  mutable std::mutex mutex_;
  std::uint64_t last_session_ = 0;
  std::map<std::uint64_t, Present> sessions_;
};

}  // namespace hemalink::api
