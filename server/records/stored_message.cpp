#include "server/records/stored_message.hpp"

namespace hemalink::records {

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

ContentSummary summarize(const MessageContent& content) {
  ContentSummary s;
  s.status = content.status;
  s.reason = content.reject_reason;
  s.error_offset = content.error_offset;
  for (const auto& set : content.result_sets) {
    s.specimens.append(s.specimens.empty() ? "" : ",").append(set.specimen_id);
    s.results += set.observations.size();
  }
  for (std::size_t i = 0; i < content.decisions.size(); ++i) {
    const bool is_patient = i >= content.result_sets.size() ||
                            content.result_sets[i].kind == model::SpecimenKind::Patient;
    for (const auto& d : content.decisions[i]) {
      for (const auto& f : d.fired)
        s.rules_fired.push_back(f.rule_id);
      if (!is_patient) {
        ++s.controls;
      } else if (d.verdict == model::Verdict::Release) {
        ++s.released;
      } else if (d.verdict == model::Verdict::Hold) {
        ++s.held;
      } else {
        ++s.other;
      }
    }
  }
  return s;
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

}  // namespace hemalink::records
