#pragma once

#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/records/lis_routes.hpp"
#include "server/store/errc.hpp"

namespace hemalink::review {

/// A technologist's release of results the rules held.
struct ResultRelease {
  std::vector<long long> result_ids;
  std::string actor;   ///< user:NAME
  std::string reason;  ///< The technologist's comment.
};

/// In one transaction: for each result whose current decision is not release, a new current
/// decision `release` by the actor (the earlier one kept, no longer current), an audit_log row,
/// and for its patient specimen an outbox row per route that takes its analyzer (the results
/// released together go together). Returns the IDs released; results released already, and IDs
/// that name no result, are not in it.
Result<std::vector<long long>, store::StoreError> release_results(const std::string& dsn,
                                                                  const records::LisRoutes& routes,
                                                                  const ResultRelease& release);

}  // namespace hemalink::review
