#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::records {

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

/// What the API reads of the kept messages, specimens, results, decisions, the audit log and the
/// analyzers' rows: each answer a JSON document (times ISO 8601 in UTC). Callable from any thread.
/// Its errors carry a store::StoreErrc (Retryable: the database cannot answer now; BadValue: it
/// could not read a value the caller gave).
class LabRecords {
 public:
  virtual ~LabRecords() = default;

  /// Newest first: {"results": [{result_id, specimen_id, specimen_row_id, analyzer, patient_id,
  /// code, raw_code, loinc, value, numeric_value, units, reference_range, abnormal_flag, flags,
  /// status, received_at, decision, decided_by}], "next_cursor": the oldest ID as text when the
  /// page is full (the cursor the client hands back for the next page), or null}.
  virtual Result<std::string, Error> search_results(const ResultQuery& query) const = 0;

  /// Every transmission of `specimen_id`, oldest first, with each result, its decisions (the
  /// current one first, then the earlier), the rules fired and the outbox rows that carry it;
  /// nullopt when no specimen has that ID.
  virtual Result<std::optional<std::string>, Error> specimen(
      const std::string& specimen_id) const = 0;

  /// A stored message, raw (read as Latin-1) with its status and reason; nullopt when none has
  /// that ID (a UUID).
  virtual Result<std::optional<std::string>, Error> message(
      const std::string& message_id) const = 0;

  /// audit_log rows as a JSON array, newest first, of `entity` (when given) since `since` (when
  /// given).
  virtual Result<std::string, Error> audit(const std::optional<std::string>& entity,
                                           const std::optional<std::string>& since,
                                           std::size_t limit) const = 0;

  /// The analyzers' rows: {name: {model, serial, software_version, last_seen_at}}.
  virtual Result<std::string, Error> analyzer_rows() const = 0;

  /// Each analyzer's messages received since `since`, by status: {name: {accepted: n, ...}}
  /// (analyzers with none are left out).
  virtual Result<std::string, Error> analyzer_messages_since(const std::string& since) const = 0;

  /// How often each rule fired in decisions made since `since` (without one, the last 24
  /// hours), and how often it held: [{rule_id, fired, held}], the most frequent first.
  virtual Result<std::string, Error> rule_firings(
      const std::optional<std::string>& since) const = 0;

  /// Succeeds when the database answers.
  virtual Result<void, Error> ping() const = 0;
};

}  // namespace hemalink::records
