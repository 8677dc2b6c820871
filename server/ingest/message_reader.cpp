#include "server/ingest/message_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "protocols/hl7/v2_message.hpp"

namespace hemalink::ingest {
namespace {

using records::MessageContent;
using records::MessageStatus;

MessageContent rejected(std::string reason, std::optional<std::int64_t> offset = std::nullopt) {
  MessageContent out;
  out.status = MessageStatus::Rejected;
  out.reject_reason = std::move(reason);
  out.error_offset = offset;
  return out;
}

MessageContent from_translation(Result<drivers::Translation> translation, std::string control_id) {
  if (!translation) {
    auto out = rejected(translation.error().describe(),
                        static_cast<std::int64_t>(translation.error().byte_offset));
    out.control_id = std::move(control_id);  // it parsed: the review queue can name it
    return out;
  }
  MessageContent out;
  out.control_id = std::move(control_id);
  out.result_sets = std::move(translation->result_sets);
  return out;
}

// Whatever the rules said, nothing from a message cut short is released on its own.
void hold_all(MessageContent& in, const std::string& reason) {
  for (auto& decisions : in.decisions) {
    for (auto& d : decisions) {
      if (d.verdict == model::Verdict::Release) {
        d = model::hold_for_review("system:incomplete-message", reason);
      }
    }
  }
}

}  // namespace

std::vector<model::Decision> hold_everything(model::ResultSet& set, const records::Receipt&,
                                             const records::TestStatuses*) {
  return std::vector<model::Decision>(
      set.observations.size(),
      model::hold_for_review("system:no-rules", "no rule set is loaded: held for review"));
}

MessageReader::MessageReader(Decider decider, HistoryPrefetch prefetch)
    : decider_(std::move(decider)), prefetch_(std::move(prefetch)) {}

void MessageReader::add_analyzer(std::string name, std::unique_ptr<drivers::Driver> driver,
                                 astm::Lis2Leniency leniency) {
  analyzers_[std::move(name)] = Analyzer{std::move(driver), leniency};
}

const drivers::Driver* MessageReader::driver_of(std::string_view name,
                                                astm::Lis2Leniency* leniency) const {
  const auto it = analyzers_.find(name);
  if (it == analyzers_.end()) {
    return nullptr;
  }
  if (leniency != nullptr) {
    *leniency = it->second.leniency;
  }
  return it->second.driver.get();
}

records::MessageContent MessageReader::read(const records::Receipt& receipt) const {
  const records::Receipt* one = &receipt;
  return std::move(read(std::span(&one, 1)).front());
}

// A batch's way: translate every message, match its results with their orders, read the
// history the rules need, judge the controls (one consult of the QC), then decide each message's
// results and hold what the orders, the QC gate or an incomplete message say.
std::vector<records::MessageContent> MessageReader::read(
    std::span<const records::Receipt* const> receipts) const {
  auto contents = translate(receipts);
  const auto checks = match(contents, receipts);
  prefetch(contents, receipts);
  const auto qc = judge_controls(contents, receipts);
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const auto& receipt = *receipts[i];
    auto& out = contents[i];
    const auto* gates = qc.messages.empty() ? nullptr : &qc.messages[i].gates;
    decide(out, receipt, gates);
    apply_order_checks(out, checks[i]);
    gate(out, gates, qc.unreadable);
    decide_in_shadow(out, receipt, gates, checks[i], qc.unreadable);
    hold_if_incomplete(out, receipt);
  }
  return contents;
}

std::vector<records::MessageContent> MessageReader::translate(
    std::span<const records::Receipt* const> receipts) const {
  std::vector<MessageContent> contents;
  contents.reserve(receipts.size());
  for (const auto* receipt : receipts) {
    contents.push_back(translate(*receipt));
  }
  return contents;
}

// One read of the orders for every patient specimen of the batch; when they cannot be read, the
// batch's patient results are held rather than decided without them.
std::vector<std::vector<OrderCheck>> MessageReader::match(
    std::span<MessageContent> contents, std::span<const records::Receipt* const> receipts) const {
  std::vector<std::vector<OrderCheck>> checks(contents.size());
  if (!order_lookup_) {
    return checks;
  }
  std::vector<std::string> ids;
  for (const auto& c : contents) {
    for (const auto& set : c.result_sets) {
      if (set.kind == model::SpecimenKind::Patient)
        ids.push_back(set.specimen_id);
    }
  }
  if (ids.empty()) {
    return checks;
  }
  const auto orders = order_lookup_(ids);
  for (std::size_t i = 0; i < contents.size(); ++i) {
    for (auto& set : contents[i].result_sets) {
      auto& check = checks[i].emplace_back();
      if (set.kind != model::SpecimenKind::Patient) {
        continue;
      }
      if (!orders) {
        check.hold_all = "the orders could not be read: held rather than decided without them";
        continue;
      }
      std::vector<records::PendingOrder> mine;
      std::copy_if(orders->begin(), orders->end(), std::back_inserter(mine),
                   [&](const auto& o) { return o.specimen_id == set.specimen_id; });
      check = match_orders(set, mine, order_policy_, receipts[i]->received_at);
    }
  }
  return checks;
}

records::MessageContent MessageReader::translate(const records::Receipt& receipt) const {
  auto it = analyzers_.find(receipt.analyzer);
  if (it == analyzers_.end()) {
    return rejected(fmt::format("analyzer '{}' is not in the configuration", receipt.analyzer));
  }
  return translate(it->second, receipt);
}

void MessageReader::prefetch(std::span<const MessageContent> contents,
                             std::span<const records::Receipt* const> receipts) const {
  if (!prefetch_ || receipts.empty()) {
    return;
  }
  std::vector<const model::ResultSet*> specimens;
  auto earliest = receipts.front()->received_at;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    earliest = std::min(earliest, receipts[i]->received_at);
    for (const auto& set : contents[i].result_sets) {
      specimens.push_back(&set);
    }
  }
  if (!specimens.empty()) {
    prefetch_(specimens, earliest);
    if (shadow_prefetch_) {
      shadow_prefetch_(specimens, earliest);  // what only the shadow reads: in the same batch read
    }
  }
}

records::MessageContent MessageReader::translate(const Analyzer& analyzer,
                                                 const records::Receipt& receipt) const {
  switch (receipt.protocol) {
    case model::WireProtocol::Astm: {
      auto message = astm::Lis2Message::parse(receipt.raw, {}, analyzer.leniency);
      if (!message) {
        return rejected(message.error().describe(),
                        static_cast<std::int64_t>(message.error().byte_offset));
      }
      const std::string control_id(message->record(0).field(2));  // H-3
      return from_translation(analyzer.driver->translate(*message), control_id);
    }
    case model::WireProtocol::Hl7: {
      auto message = hl7::V2Message::parse(std::string(without_byte_order_mark(receipt.raw)));
      if (!message) {
        return rejected(message.error().describe(),
                        static_cast<std::int64_t>(message.error().byte_offset));
      }
      static const auto kControlId = *hl7::V2Path::parse("MSH-10");
      std::string control_id(message->get(kControlId));
      return from_translation(analyzer.driver->translate(*message), std::move(control_id));
    }
    case model::WireProtocol::Export:
      return from_translation(analyzer.driver->translate_export(receipt.raw), "");
  }
  return rejected("unknown protocol");
}

void MessageReader::decide(records::MessageContent& content, const records::Receipt& receipt,
                           const qc::GateSnapshot* gates) const {
  content.decisions.clear();
  for (auto& set : content.result_sets) {
    content.decisions.push_back(decider_(set, receipt, gates));
  }
}

// The shadow set decides what is stored (the live set's calculations included), in a copy, with
// the same checks; only its decisions are kept, one per stored observation.
void MessageReader::decide_in_shadow(records::MessageContent& content,
                                     const records::Receipt& receipt, const qc::GateSnapshot* gates,
                                     const std::vector<OrderCheck>& checks,
                                     const std::optional<std::string>& unreadable) const {
  if (!shadow_decider_ || content.status != MessageStatus::Accepted) {
    return;
  }
  records::MessageContent shadow;
  shadow.result_sets = content.result_sets;
  for (auto& set : shadow.result_sets) {
    shadow.decisions.push_back(shadow_decider_(set, receipt, gates));
  }
  apply_order_checks(shadow, checks);
  gate(shadow, gates, unreadable);
  hold_if_incomplete(shadow, receipt);
  for (std::size_t s = 0; s < shadow.decisions.size(); ++s) {
    shadow.decisions[s].resize(content.result_sets[s].observations.size(),
                               model::hold_for_review("system:shadow", "not decided in shadow"));
    for (auto& d : shadow.decisions[s]) {
      if (shadow_rule_set_) {
        d.rule_set_version = shadow_rule_set_->version();  // the fail-safes' holds name it too
      }
    }
  }
  content.shadow_decisions = std::move(shadow.decisions);
}

void MessageReader::apply_order_checks(records::MessageContent& content,
                                       const std::vector<OrderCheck>& checks) {
  for (std::size_t s = 0; s < checks.size() && s < content.decisions.size(); ++s) {
    apply_order_check(checks[s], content.decisions[s]);
  }
}

// Control results are judged before the patient results of their message (and of the messages
// after it) are decided: the gate they set is the one those results meet.
qc::BatchQc MessageReader::judge_controls(std::span<records::MessageContent> contents,
                                          std::span<const records::Receipt* const> receipts) const {
  if (!control_book_) {
    return {};
  }
  auto qc = control_book_->consult(receipts, contents);
  if (qc.unreadable) {
    qc.unreadable = "the QC state could not be read from the database (" + *qc.unreadable +
                    "): held rather than released without its QC";
  }
  for (std::size_t i = 0; i < qc.messages.size(); ++i) {
    contents[i].control_judgements = std::move(qc.messages[i].judgements);
    contents[i].average_points = std::move(qc.messages[i].average_points);
  }
  return qc;
}

void MessageReader::hold_if_incomplete(records::MessageContent& content,
                                       const records::Receipt& receipt) {
  if (receipt.link_status == MessageStatus::Incomplete &&
      content.status == MessageStatus::Accepted) {
    content.status = MessageStatus::Incomplete;
    content.reject_reason = receipt.link_reason;
    hold_all(content, "the message ended without its L record: held for review");
  }
}

// A patient result the rules release is held while its test's QC gate says so (or while the QC
// state cannot be read): the decision names the gate and keeps the rules that fired.
void MessageReader::gate(records::MessageContent& content, const qc::GateSnapshot* gates,
                         const std::optional<std::string>& unreadable) const {
  if (!control_book_) {
    return;
  }
  for (std::size_t s = 0; s < content.result_sets.size() && s < content.decisions.size(); ++s) {
    const auto& set = content.result_sets[s];
    if (set.kind != model::SpecimenKind::Patient) {
      continue;
    }
    for (std::size_t o = 0; o < set.observations.size() && o < content.decisions[s].size(); ++o) {
      auto& d = content.decisions[s][o];
      if (d.verdict != model::Verdict::Release) {
        continue;
      }
      const auto why = gate_hold(gates, set.observations[o].code, unreadable);
      if (!why) {
        continue;
      }
      d.verdict = model::Verdict::Hold;
      d.decided_by = "system:qc-gate";
      d.reason = *why;
      d.fired.push_back({"qc-gate", model::RuleAction::Hold, *why, ""});
    }
  }
}

std::optional<std::string> MessageReader::gate_hold(
    const qc::GateSnapshot* gates, std::string_view test,
    const std::optional<std::string>& unreadable) const {
  if (unreadable || gates == nullptr) {
    return unreadable.value_or("the QC state was not read: held rather than released without it");
  }
  return qc_gate_hold(gates->gate(test), gate_policy_);
}

std::optional<std::string> qc_gate_hold(const qc::GateState& gate, const QcGatePolicy& policy) {
  const bool holds =
      gate.is_under_qc && ((gate.status == records::GateStatus::Out && policy.hold_out) ||
                           (gate.status == records::GateStatus::Unknown && policy.hold_unknown));
  if (!holds) {
    return std::nullopt;
  }
  return gate.reason;
}

}  // namespace hemalink::ingest
