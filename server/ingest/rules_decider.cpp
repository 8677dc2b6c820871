#include "server/ingest/rules_decider.hpp"

namespace hemalink::ingest {

Decider rules_decider(std::shared_ptr<const rules::RuleSet> rules,
                      std::shared_ptr<rules::RecentResults> recent) {
  return
      [rules = std::move(rules), recent = std::move(recent)](
          model::ResultSet& set, const records::Receipt& receipt, const records::TestStatuses* qc) {
        if (!recent) {
          return rules->decide(set, nullptr, qc);
        }
        auto history = recent->view(receipt.received_at);
        auto decisions = rules->decide(set, &history, qc);
        if (history.failed()) {
          for (auto& d : decisions) {
            if (d.verdict == model::Verdict::Release) {
              d.verdict = model::Verdict::Hold;
              d.reason = "previous results could not be read from the database: held for review";
            }
          }
        }
        return decisions;
      };
}

HistoryPrefetch history_prefetch(std::shared_ptr<const rules::RuleSet> rules,
                                 std::shared_ptr<rules::RecentResults> recent) {
  return [rules = std::move(rules), recent = std::move(recent)](
             std::span<const model::ResultSet* const> specimens,
             std::chrono::system_clock::time_point earliest) {
    recent->prefetch(specimens, earliest,
                     [&rules](std::string_view code) { return rules->reads_previous(code); });
  };
}

}  // namespace hemalink::ingest
