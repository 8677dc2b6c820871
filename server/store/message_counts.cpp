#include "server/store/message_counts.hpp"

namespace hemalink::store {

using records::MessageStatus;
using records::Receipt;

std::string outcome_label(const Completion& completion) {
  switch (completion.outcome) {
    case StoreOutcome::Stored:
      if (completion.content && completion.content->status != MessageStatus::Accepted)
        return to_string(completion.content->status);
      return "stored";
    case StoreOutcome::AlreadyStored:
      return "already_stored";
    case StoreOutcome::Duplicate:
      return "duplicate";
    case StoreOutcome::Spooled:
      return "spooled";
    case StoreOutcome::Failed:
      break;
  }
  return "failed";
}

void MessageCounts::add(const Receipt& receipt, const Completion& completion) {
  const auto label = outcome_label(completion);
  std::lock_guard lock(mutex_);
  auto& c = counts_[receipt.analyzer];
  c.protocol = to_string(receipt.protocol);
  ++c.messages[label];
  if (completion.outcome == StoreOutcome::Stored && completion.content) {
    c.results_released += completion.content->released;
    c.results_held += completion.content->held;
    c.results_other += completion.content->other;
    c.results_controls += completion.content->controls;
    for (const auto& rule : completion.content->rules_fired)
      ++rule_firings_[rule];
  }
  if (!c.last_received_at || *c.last_received_at < receipt.received_at)
    c.last_received_at = receipt.received_at;
}

std::map<std::string, AnalyzerMessageCounts> MessageCounts::snapshot() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::map<std::string, std::uint64_t> MessageCounts::rule_firings() const {
  std::lock_guard lock(mutex_);
  return rule_firings_;
}

}  // namespace hemalink::store
