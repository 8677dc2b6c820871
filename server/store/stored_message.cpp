#include "server/store/stored_message.hpp"

namespace hemalink::store {

Receipt Receipt::arrived(std::string analyzer, std::string driver, WireProtocol protocol,
                         std::string peer_address, std::string raw, Direction direction) {
  Receipt r;
  r.id = model::MessageId::generate();
  r.analyzer = std::move(analyzer);
  r.driver = std::move(driver);
  r.direction = direction;
  r.protocol = protocol;
  r.peer_address = std::move(peer_address);
  r.received_at = std::chrono::system_clock::now();
  r.raw = std::move(raw);
  return r;
}

MessageContent MessageContent::rejected(const ParseError& error) {
  MessageContent content;
  content.status = MessageStatus::Rejected;
  content.reject_reason = error.describe();
  content.error_offset = static_cast<std::int64_t>(error.byte_offset);
  return content;
}

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
