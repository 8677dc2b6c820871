#include "server/store/stored_message.hpp"

namespace hemalink::store {

const char* to_string(Direction direction) {
  return direction == Direction::In ? "in" : "out";
}

const char* to_string(MessageStatus status) {
  switch (status) {
    case MessageStatus::Accepted:
      return "accepted";
    case MessageStatus::Rejected:
      return "rejected";
    case MessageStatus::Incomplete:
      return "incomplete";
    case MessageStatus::Duplicate:
      return "duplicate";
  }
  return "rejected";
}

const char* to_string(StoreOutcome outcome) {
  switch (outcome) {
    case StoreOutcome::Stored:
      return "stored";
    case StoreOutcome::AlreadyStored:
      return "already stored";
    case StoreOutcome::Duplicate:
      return "duplicate";
    case StoreOutcome::Spooled:
      return "spooled";
    case StoreOutcome::Failed:
      return "failed";
  }
  return "failed";
}

}  // namespace hemalink::store
