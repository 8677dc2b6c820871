#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/lab_order.hpp"
#include "drivers/model/message_id.hpp"
#include "drivers/model/wire_protocol.hpp"
#include "protocols/common/result.hpp"
#include "server/records/order_receipt.hpp"
#include "server/records/pending_order.hpp"
#include "server/store/errc.hpp"

namespace hemalink::orders {

/// In one transaction: the message (accepted, rejected with its reason, or a duplicate of the
/// same bytes sent before, which changes nothing) and every change its orders make, each audited
/// with actor `lis:<source>`. A new order, or one sent again, adds the tests it does not have (a
/// cancelled test ordered again is ordered again); a change also replaces the demographics; a
/// cancellation cancels the listed tests (all of them when none is listed) that have not resulted.
Result<records::OrderChanges, store::StoreError> store_orders(const std::string& dsn,
                                                              const records::OrderReceipt& receipt);

/// Open tests of `source` stored unmapped whose LIS code `canonical_of` maps now (the table was
/// fixed): each becomes its canonical tests on the same order, ordered, and the unmapped row is
/// closed (cancelled, the reason naming what it became), in one transaction audited as
/// `system:mapping-table`. Returns the specimens whose orders gained tests.
Result<std::vector<std::string>, store::StoreError> remap_unmapped_tests(
    const std::string& dsn, const std::string& source,
    const std::function<std::vector<std::string>(std::string_view)>& canonical_of);

/// The orders on `specimen_ids` with tests not yet resulted or cancelled, oldest first: what an
/// analyzer that asks about those specimens may be sent. One prepared statement for all of them
/// (the host queries that wait together), on the calling thread's connection.
Result<std::vector<records::PendingOrder>, store::StoreError> pending_orders(
    const std::string& dsn, const std::vector<std::string>& specimen_ids);

/// Every order on any of `specimen_ids`, with all its tests whatever their status (cancelled
/// ones too, so that a result of a cancelled test is known for one): what results are matched
/// against. One statement, on the calling thread's connection.
Result<std::vector<records::PendingOrder>, store::StoreError> orders_on_specimens(
    const std::string& dsn, const std::vector<std::string>& specimen_ids);

/// Makes the steps order steps, so that the analyzer is sent them (query answer or download):
/// each rerun test of the specimen's orders is ordered again; each reflex test is added to its
/// latest order (ordered again when it was there already). Audited with `steps.actor`. Returns
/// the tests now ordered; none when the specimen has no order.
Result<std::size_t, store::StoreError> add_order_steps(const std::string& dsn,
                                                       const records::OrderSteps& steps);

/// Marks each in turn, in one transaction (one commit), audited with actor `analyzer:<name>`:
/// sent (from ordered, sent or acknowledged: sent again), or acknowledged (from sent). Tests
/// resulted or cancelled meanwhile are left as they are.
Result<void, store::StoreError> mark_tests(const std::string& dsn,
                                           const std::vector<records::TestMarks>& marks);

/// The pending tests to download to `analyzer`, as orders: tests in `codes` (canonical: what it
/// runs) ordered and sent to no analyzer yet, on `specimen_ids` (the orders that just came), or on
/// every order when there are none; and then also tests sent to this analyzer and not acknowledged
/// (`with_unacknowledged`: after it reconnects). Oldest first, at most `limit` orders, from the one
/// after `after_order` (an order ID; 0 from the first).
Result<std::vector<records::PendingOrder>, store::StoreError> work_to_download(
    const std::string& dsn, std::string_view analyzer, const std::vector<std::string>& codes,
    const std::vector<std::string>& specimen_ids, bool with_unacknowledged, long long after_order,
    std::size_t limit);

}  // namespace hemalink::orders
