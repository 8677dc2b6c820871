#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::store {

// What the API reads from the system of record, each answer a JSON document built by PostgreSQL
// (times ISO 8601 in UTC), each call on the calling thread's connection (thread_connection).

/// Filters of a result search; every one given must match. Times are ISO 8601 text.
struct ResultQuery {
  std::optional<std::string> analyzer;
  std::optional<std::string> code;
  std::optional<std::string> patient;
  std::optional<std::string> decision;  ///< The decision in force: release, hold, rerun, reject.
  std::optional<std::string> since;     ///< received_at >= since
  std::optional<std::string> until;     ///< received_at < until
  std::size_t limit = 100;
  /// Only results older (by ID) than this: the next page's cursor. Results stored meanwhile
  /// get higher IDs, so pages neither repeat nor skip one.
  std::optional<long long> before_id;
};

/// Newest first: {"results": [{result_id, specimen_id, specimen_row_id, analyzer, patient_id,
/// code, raw_code, loinc, value, numeric_value, units, reference_range, abnormal_flag, flags,
/// status, received_at, decision, decided_by}], "next_cursor": the oldest ID as text when the page
/// is full (the cursor the client hands back for the next page), or null}.
Result<std::string, StoreError> search_results_json(const std::string& dsn,
                                                    const ResultQuery& query);

/// Every transmission of `specimen_id`, oldest first, with each result, its decisions (the
/// current one first, then the earlier), the rules fired and the outbox rows that carry it;
/// nullopt when no specimen has that ID.
Result<std::optional<std::string>, StoreError> specimen_json(const std::string& dsn,
                                                             const std::string& specimen_id);

/// A stored message, raw (read as Latin-1) with its status and reason; nullopt when none has
/// that ID.
Result<std::optional<std::string>, StoreError> message_json(const std::string& dsn,
                                                            const std::string& message_id);

/// audit_log rows, newest first, of `entity` (when given) since `since` (when given).
Result<std::string, StoreError> audit_json(const std::string& dsn,
                                           const std::optional<std::string>& entity,
                                           const std::optional<std::string>& since,
                                           std::size_t limit);

/// The analyzers' rows: {name: {model, serial, software_version, last_seen_at}}.
Result<std::string, StoreError> analyzer_rows_json(const std::string& dsn);

/// Each analyzer's messages received since `since`, by status: {name: {accepted: n, ...}}
/// (analyzers with none are left out).
Result<std::string, StoreError> analyzer_messages_since_json(const std::string& dsn,
                                                             const std::string& since);

/// The orders (newest first) as JSON with their tests: on `specimen` when given; only those with
/// tests still pending `overdue_minutes` after they came, when `only_overdue`. Each says whether
/// it is overdue.
Result<std::string, StoreError> orders_json(const std::string& dsn,
                                            const std::optional<std::string>& specimen,
                                            bool only_overdue, long long overdue_minutes,
                                            std::size_t limit);

/// The LIS codes the mapping tables did not know, with tests still open on them, as JSON:
/// [{destination, lis_code, lis_text, lis_coding_system, open_tests, specimens, first_ordered_at,
/// last_ordered_at, latest_specimen_id}], the most recently ordered first. It empties as the
/// tables learn the codes (`remap_unmapped_tests` at start-up).
Result<std::string, StoreError> unmapped_order_codes_json(const std::string& dsn);

/// Per LIS destination with any: the distinct codes not known and the open tests on them.
struct UnmappedOrderCodes {
  std::string destination;
  long long codes = 0;
  long long tests = 0;
};
Result<std::vector<UnmappedOrderCodes>, StoreError> unmapped_order_counts(const std::string& dsn);

/// The outbox rows (newest first) as JSON, without their payloads.
Result<std::string, StoreError> outbox_json(const std::string& dsn,
                                            const std::optional<std::string>& status,
                                            const std::optional<std::string>& destination,
                                            std::size_t limit);

/// How often each rule fired in decisions made since `since` (a timestamp PostgreSQL reads;
/// without one, the last 24 hours), and how often it held: [{rule_id, fired, held}], the most
/// frequent first.
Result<std::string, StoreError> rule_firings_json(const std::string& dsn,
                                                  const std::optional<std::string>& since);

/// Succeeds when the database answers.
Result<void, StoreError> ping(const std::string& dsn);

}  // namespace hemalink::store
