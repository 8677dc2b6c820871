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
#include "server/store/errc.hpp"

namespace hemalink::store {

/// One ordered test in canonical code, as the destination's mapping table read the LIS's code.
struct OrderedCode {
  std::string code;      ///< Canonical; the LIS's code when the table does not know it.
  std::string lis_code;  ///< As the LIS sent it (a panel code for each of its tests).
  bool is_mapped = true;
  std::string lis_text;           ///< OBR-4.2 as sent.
  std::string lis_coding_system;  ///< OBR-4.3 as sent.
};

/// An order with its tests mapped to canonical codes.
struct MappedOrder {
  model::LabOrder order;
  std::vector<OrderedCode> tests;
};

/// A message from a LIS that carries orders, as it arrived and as it was read. `refusal` set:
/// it did not parse or read as orders, and is kept raw as rejected with that reason.
struct OrderReceipt {
  model::MessageId id;
  std::string source;  ///< The LIS destination's name.
  model::WireProtocol protocol = model::WireProtocol::Hl7;
  std::string peer_address;
  std::chrono::system_clock::time_point received_at;
  std::string raw;
  std::string control_id;
  std::string message_type;  ///< `OML^O21`, `ORM^O01`, `OML^O33`, `ADT^A08`, `ASTM`.
  std::optional<std::string> refusal;
  std::optional<std::int64_t> error_offset;
  std::vector<MappedOrder> orders;
  std::optional<model::Patient> patient_update;
};

/// What storing an order message did.
struct OrderChanges {
  /// Set when the orders could not be applied (a cancellation of an order hemalink does not
  /// have): the message is kept as rejected with this reason, and nothing of it is applied.
  std::optional<std::string> refusal;
  /// Set when the LIS sent these bytes before (its send time aside: a resend after a lost
  /// acknowledgement): the message is kept as a duplicate of that one and nothing is applied
  /// again; `refusal` is then the first one's, when it was rejected.
  std::optional<std::string> duplicate_of;
  std::size_t orders_created = 0;
  std::size_t orders_changed = 0;
  std::size_t tests_added = 0;
  std::size_t tests_cancelled = 0;
  std::size_t patients_updated = 0;  ///< Open orders whose patient changed (ADT).
};

/// In one transaction: the message (accepted, rejected with its reason, or a duplicate of the
/// same bytes sent before, which changes nothing) and every change its orders make, each audited
/// with actor `lis:<source>`. A new order, or one sent again, adds the tests it does not have (a
/// cancelled test ordered again is ordered again); a change also replaces the demographics; a
/// cancellation cancels the listed tests (all of them when none is listed) that have not resulted.
Result<OrderChanges, StoreError> store_orders(const std::string& dsn, const OrderReceipt& receipt);

/// Open tests of `source` stored unmapped whose LIS code `canonical_of` maps now (the table was
/// fixed): each becomes its canonical tests on the same order, ordered, and the unmapped row is
/// closed (cancelled, the reason naming what it became), in one transaction audited as
/// `system:mapping-table`. Returns the specimens whose orders gained tests.
Result<std::vector<std::string>, StoreError> remap_unmapped_tests(
    const std::string& dsn, const std::string& source,
    const std::function<std::vector<std::string>(std::string_view)>& canonical_of);

/// A test still to run on a specimen.
struct PendingTest {
  long long id = 0;
  std::string code;
  std::string status;     ///< ordered, sent or acknowledged.
  bool is_mapped = true;  ///< False: `code` is the LIS's, which no result or analyzer has.
};

/// An order with the tests it still waits for.
struct PendingOrder {
  long long id = 0;
  std::string source;
  std::string placer_number;
  std::string filler_number;
  std::string specimen_id;
  model::Patient patient;
  std::string location;
  model::Priority priority = model::Priority::Unknown;
  std::string collected_at;
  std::string specimen_type;         ///< SPM-4.1 / ASTM O-16.1 as the LIS sent it.
  std::string specimen_type_text;    ///< SPM-4.2.
  std::string specimen_type_system;  ///< SPM-4.3.
  std::string specimen_source;
  std::string comment;  ///< The LIS's notes on the order.
  std::vector<PendingTest> tests;
};

/// The orders on `specimen_ids` with tests not yet resulted or cancelled, oldest first: what an
/// analyzer that asks about those specimens may be sent. One prepared statement for all of them
/// (the host queries that wait together), on the calling thread's connection.
Result<std::vector<PendingOrder>, StoreError> pending_orders(
    const std::string& dsn, const std::vector<std::string>& specimen_ids);

/// Every order on any of `specimen_ids`, with all its tests whatever their status (cancelled
/// ones too, so that a result of a cancelled test is known for one): what results are matched
/// against. One statement, on the calling thread's connection.
Result<std::vector<PendingOrder>, StoreError> orders_on_specimens(
    const std::string& dsn, const std::vector<std::string>& specimen_ids);

/// What the rules asked of one specimen's results: tests to run again and tests to add.
struct OrderSteps {
  std::string specimen_id;
  std::vector<std::string> reruns;    ///< Canonical codes to run again.
  std::vector<std::string> reflexes;  ///< Canonical codes to add to the specimen's latest order.
  std::string actor;                  ///< rules:<version>, user:<name>.
  std::string reason;
};

/// Makes the steps order steps, so that the analyzer is sent them (query answer or download):
/// each rerun test of the specimen's orders is ordered again; each reflex test is added to its
/// latest order (ordered again when it was there already). Audited with `steps.actor`. Returns
/// the tests now ordered; none when the specimen has no order.
Result<std::size_t, StoreError> add_order_steps(const std::string& dsn, const OrderSteps& steps);

/// What became of order tests at an analyzer.
enum class TestStep {
  Sent,          ///< Sent to it (a query answer or a download).
  Acknowledged,  ///< It took them (the message's last frame ACKed; ORL^O34 AA).
};

/// Order tests one analyzer was sent, or took.
struct TestMarks {
  std::string analyzer;
  std::vector<long long> ids;
  TestStep step = TestStep::Sent;
};

/// Marks each in turn, in one transaction (one commit), audited with actor `analyzer:<name>`:
/// sent (from ordered, sent or acknowledged: sent again), or acknowledged (from sent). Tests
/// resulted or cancelled meanwhile are left as they are.
Result<void, StoreError> mark_tests(const std::string& dsn, const std::vector<TestMarks>& marks);

/// The pending tests to download to `analyzer`, as orders: tests in `codes` (canonical: what it
/// runs) ordered and sent to no analyzer yet, on `specimen_ids` (the orders that just came), or on
/// every order when there are none; and then also tests sent to this analyzer and not acknowledged
/// (`with_unacknowledged`: after it reconnects). Oldest first, at most `limit` orders, from the one
/// after `after_order` (an order ID; 0 from the first).
Result<std::vector<PendingOrder>, StoreError> work_to_download(
    const std::string& dsn, std::string_view analyzer, const std::vector<std::string>& codes,
    const std::vector<std::string>& specimen_ids, bool with_unacknowledged, long long after_order,
    std::size_t limit);

}  // namespace hemalink::store
