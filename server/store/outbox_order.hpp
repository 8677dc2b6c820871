#pragma once

#include <set>
#include <string>

namespace pqxx {
class transaction_base;
}

namespace hemalink::store {

/// Takes, for the rest of `tx`, a lock per specimen (in one order for everyone, so two
/// transactions cannot deadlock on them). Called just before outbox rows of these specimens are
/// inserted: a second transaction writing rows of the same specimen then waits for the first to
/// commit, so a specimen's rows are committed in the order of their IDs, and the senders, which
/// send a specimen's rows by ID and never one while an earlier is pending, keep its order.
void lock_specimens_for_outbox(pqxx::transaction_base& tx, const std::set<std::string>& specimens);

}  // namespace hemalink::store
