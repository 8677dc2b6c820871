#pragma once

#include <memory>

#include "server/rules/recent_results.hpp"
#include "server/store/store.hpp"

namespace hemalink::ingest {

/// After a commit, on the writer: the recent results the rules read (delta checks, reruns)
/// learn the message's results, so the next specimen of the patient meets them without a read.
store::CommitHook remember_committed_results(std::shared_ptr<rules::RecentResults> recent);

}  // namespace hemalink::ingest
