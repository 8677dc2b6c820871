#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/review/comment_codes.hpp"

namespace hemalink::review {

enum class ReviewVerdict { Release, Rerun, Reject };

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
  /// A control's or calibrator's result: judged on the QC page, never released, rerun or
  /// rejected as a patient's.
  NotAPatientResult,
};

struct ReviewAnswer {
  ReviewOutcome outcome = ReviewOutcome::Applied;
  /// Applied: the new decision as JSON {result_id, specimen_row_id, code, decision, decided_by,
  /// reason, decided_at, value, queued (outbox row IDs)}; NotHeld: the decision in force as JSON;
  /// NotAPatientResult: {result_id, specimen_id, kind} (qc or calibration).
  std::string json;
  /// A rerun of an ordered test: its specimen, whose order now asks for the test again.
  std::string ordered_again;
};

/// What a technologist does to held results, the queue of them, and the lab's comment codes.
/// Callable from any thread; errors carry a store::StoreErrc.
class ReviewDesk {
 public:
  virtual ~ReviewDesk() = default;

  /// The results waiting for a technologist, the oldest `limit` holds, grouped by specimen
  /// transmission, STAT first: a JSON array (review_queue_json says its fields).
  virtual Result<std::string, Error> queue(std::size_t limit) const = 0;

  /// Applies `action` if the result is held (apply_review_action says what it writes).
  virtual Result<ReviewAnswer, Error> apply(const ReviewAction& action) = 0;

  /// The comment codes stored through the API (added, changed, removed), by code; the
  /// configuration's are the API's to add (comment_codes_in_force).
  virtual Result<std::vector<StoredCommentCode>, Error> stored_comment_codes() const = 0;
  /// Stores a code's text or its removal, audited (store_comment_code); the row as stored.
  virtual Result<StoredCommentCode, Error> store_comment_code(const StoredCommentCode& code) = 0;
  /// Applies each of `actions` as apply does, all in one transaction: one answer per action, in
  /// order (a result decided meanwhile answers NotHeld and the others still apply).
  virtual Result<std::vector<ReviewAnswer>, Error> apply_all(
      const std::vector<ReviewAction>& actions) = 0;
};

}  // namespace hemalink::review
