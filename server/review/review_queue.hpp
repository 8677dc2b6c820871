#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/records/lis_routes.hpp"
#include "server/review/review_desk.hpp"
#include "server/store/errc.hpp"

namespace hemalink::review {

/// The results waiting for a technologist (current decision hold), the oldest `limit` holds,
/// grouped by specimen transmission, STAT specimens first, then oldest hold first: a JSON array
/// of {specimen_row_id, specimen_id, analyzer, kind, priority, patient_id, patient_sex,
///  patient_birth_date, patient_age_years (at receipt, as the rules read it; null when not
///  known), received_at, specimen_flags, comments, attachments, held_since,
///  results: [{result_id, code, value, numeric_value, units, comments, reference_range,
///  abnormal_flag, flags, status, held_at, decided_by, reason, rules_fired, previous:
///  [{result_id, specimen_id, value, numeric_value, units, received_at}] (the patient's three
///  latest earlier results of the same code)}]}.
Result<std::string, store::StoreError> review_queue_json(const std::string& dsn, std::size_t limit);

const char* to_string(ReviewVerdict verdict);

/// In one transaction, and only if the result's current decision is hold: the hold retired
/// (kept, no longer current), the new decision by the actor, the corrected value (release only),
/// an audit_log row with before and after, and for a release the outbox rows of its specimen
/// (per route that takes its analyzer), for a rerun the test ordered again on the specimen's
/// orders (order_result_again). Two actions on one result at once: one applies, the
/// other finds it NotHeld.
Result<ReviewAnswer, store::StoreError> apply_review_action(const std::string& dsn,
                                                            const records::LisRoutes& routes,
                                                            const ReviewAction& action);

/// Each of `actions` as apply_review_action, in one transaction: one answer per action.
Result<std::vector<ReviewAnswer>, store::StoreError> apply_review_actions(
    const std::string& dsn, const records::LisRoutes& routes,
    const std::vector<ReviewAction>& actions);

}  // namespace hemalink::review
