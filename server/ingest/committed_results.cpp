#include "server/ingest/committed_results.hpp"

namespace hemalink::ingest {

store::CommitHook remember_committed_results(std::shared_ptr<rules::RecentResults> recent) {
  return [recent = std::move(recent)](const store::StoreRequest& request) {
    for (const auto& set : request.content->result_sets) {
      recent->record(set, request.receipt.received_at);
    }
  };
}

}  // namespace hemalink::ingest
