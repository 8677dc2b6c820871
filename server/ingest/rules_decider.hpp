#pragma once

#include <memory>

#include "server/ingest/message_reader.hpp"
#include "server/rules/recent_results.hpp"
#include "server/rules/rule_set.hpp"

namespace hemalink::ingest {

/// Decides with a rule set, reading previous results from `recent` (none when null). When the
/// previous results were needed but could not be read, nothing of the specimen is released:
/// every release becomes a hold saying why.
Decider rules_decider(std::shared_ptr<const rules::RuleSet> rules,
                      std::shared_ptr<rules::RecentResults> recent);

/// Reads a batch's previous results into `recent` at once, before its specimens are decided: of
/// the codes whose rules in `rules` read them, and each specimen's own.
HistoryPrefetch history_prefetch(std::shared_ptr<const rules::RuleSet> rules,
                                 std::shared_ptr<rules::RecentResults> recent);

}  // namespace hemalink::ingest
