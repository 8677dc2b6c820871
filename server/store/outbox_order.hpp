#pragma once

#include <set>
#include <string>
#include <vector>

#include "server/records/lis_routes.hpp"

namespace pqxx {
class transaction_base;
}

namespace hemalink::store {

/// The two-key advisory lock class of specimens: negative, so it meets neither the outbox rows'
/// keys (id >> 31, never negative) nor anyone's one-key locks. The second key is
/// hashtext(specimen ID).
inline constexpr int kSpecimenLockClass = -1213481807;

/// Takes, for the rest of `tx`, a lock per specimen (in one order for everyone, so two
/// transactions cannot deadlock on them). Called just before outbox rows of these specimens are
/// inserted: a second transaction writing rows of the same specimen then waits for the first to
/// commit, so a specimen's rows are committed in the order of their IDs, and the senders, which
/// send a specimen's rows by ID and never one while an earlier is pending, keep its order.
void lock_specimens_for_outbox(pqxx::transaction_base& tx, const std::set<std::string>& specimens);

/// The same locks, for the specimens of `results`, all at once: a transaction that will release
/// results of several specimens one after another takes them first, in the one order.
void lock_specimens_of_results(pqxx::transaction_base& tx, const std::vector<long long>& results);

/// Queues the results `released` (just released, in `tx`) to the LIS: for each of their patient
/// specimens, one outbox row per route that takes its analyzer, holding the specimen's released
/// results together. Takes the specimens' outbox locks first.
void queue_released_results(pqxx::transaction_base& tx, const records::LisRoutes& routes,
                            const std::vector<long long>& released);

}  // namespace hemalink::store
