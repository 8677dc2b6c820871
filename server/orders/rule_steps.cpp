#include "server/orders/rule_steps.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace hemalink::orders {
namespace {

void add_once(std::vector<std::string>& codes, const std::string& code) {
  if (!code.empty() && std::find(codes.begin(), codes.end(), code) == codes.end()) {
    codes.push_back(code);
  }
}

void add_reason(std::string& reasons, const std::string& reason) {
  if (!reason.empty() && reasons.find(reason) == std::string::npos) {
    reasons += reasons.empty() ? reason : "; " + reason;
  }
}

}  // namespace

std::vector<records::OrderSteps> order_steps_of(const records::MessageContent& content) {
  std::vector<records::OrderSteps> out;
  for (std::size_t s = 0; s < content.result_sets.size() && s < content.decisions.size(); ++s) {
    const auto& set = content.result_sets[s];
    if (set.kind != model::SpecimenKind::Patient) {
      continue;
    }
    records::OrderSteps steps;
    steps.specimen_id = set.specimen_id;
    const auto& decisions = content.decisions[s];
    for (std::size_t i = 0; i < decisions.size() && i < set.observations.size(); ++i) {
      const auto& d = decisions[i];
      if (d.verdict == model::Verdict::Rerun) {
        add_once(steps.reruns, set.observations[i].code);
        add_reason(steps.reason, d.reason);
        steps.actor = d.decided_by;
      }
      for (const auto& f : d.fired) {
        if (f.action == model::RuleAction::Reflex) {
          add_once(steps.reflexes, f.reflex_test);
          add_reason(steps.reason, f.reason);
          steps.actor = d.decided_by;
        }
      }
    }
    if (!steps.reruns.empty() || !steps.reflexes.empty()) {
      out.push_back(std::move(steps));
    }
  }
  return out;
}

store::CommitHook order_rule_steps(std::string dsn, WorkDownload& downloads) {
  return [dsn = std::move(dsn), &downloads](const store::StoreRequest& request) {
    std::vector<std::string> ordered;
    for (const auto& steps : order_steps_of(*request.content)) {
      if (auto added = add_order_steps(dsn, steps); !added) {
        spdlog::warn("specimen {}: reruns and reflexes not ordered: {}", steps.specimen_id,
                     added.error().detail);
      } else if (*added > 0) {
        ordered.push_back(steps.specimen_id);
      }
    }
    downloads.orders_arrived(std::move(ordered));
  };
}

}  // namespace hemalink::orders
