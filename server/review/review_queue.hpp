#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocols/common/result.hpp"
#include "server/records/lis_routes.hpp"
#include "server/store/errc.hpp"

namespace hemalink::review {

/// The results waiting for a technologist (current decision hold), the oldest `limit` holds,
/// grouped by specimen transmission, STAT specimens first, then oldest hold first: a JSON array
/// of {specimen_row_id, specimen_id, analyzer, kind, priority, patient_id, patient_sex,
///  patient_birth_date, received_at, specimen_flags, comments, attachments, held_since,
///  results: [{result_id, code, value, numeric_value, units, comments, reference_range,
///  abnormal_flag, flags, status, held_at, decided_by, reason, rules_fired, previous:
///  [{result_id, specimen_id, value, numeric_value, units, received_at}] (the patient's three
///  latest earlier results of the same code)}]}.
Result<std::string, store::StoreError> review_queue_json(const std::string& dsn, std::size_t limit);

enum class ReviewVerdict { Release, Rerun, Reject };
const char* to_string(ReviewVerdict verdict);

/// A technologist's decision about one held result.
struct ReviewAction {
  long long result_id = 0;
  ReviewVerdict verdict = ReviewVerdict::Release;
  std::string actor;    ///< user:NAME
  std::string comment;  ///< Required: why.
  /// For a release: the value to report instead of the analyzer's (kept in the audit log).
  std::optional<std::string> corrected_value;
};

enum class ReviewOutcome {
  Applied,
  NoSuchResult,
  NotHeld,  ///< Its current decision is not hold: acted on already, or never held.
};

struct ReviewAnswer {
  ReviewOutcome outcome = ReviewOutcome::Applied;
  /// Applied: the new decision as JSON {result_id, decision, decided_by, reason, decided_at,
  /// value, queued (outbox row IDs)}; NotHeld: the decision in force as JSON.
  std::string json;
  /// A rerun of an ordered test: its specimen, whose order now asks for the test again.
  std::string ordered_again;
};

/// In one transaction, and only if the result's current decision is hold: the hold retired
/// (kept, no longer current), the new decision by the actor, the corrected value (release only),
/// an audit_log row with before and after, and for a release the outbox rows of its specimen
/// (per route that takes its analyzer), for a rerun the test ordered again on the specimen's
/// orders (order_result_again). Two actions on one result at once: one applies, the
/// other finds it NotHeld.
Result<ReviewAnswer, store::StoreError> apply_review_action(const std::string& dsn,
                                                            const records::LisRoutes& routes,
                                                            const ReviewAction& action);

}  // namespace hemalink::review
