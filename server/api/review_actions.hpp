#pragma once

#include <string>

#include "server/api/lab_view.hpp"
#include "server/review/review_desk.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::api {

// What every route that decides held results shares: the single review actions
// (/api/v1/review/{result_id}/...) and a failed QC run's group (/api/v1/qc/held/...).

/// The body's required "comment": why, in words (1-2000 characters).
void read_review_comment(files::JsonFields& f, std::string& comment);

/// After `answer` applied: a rerun's specimen told its orders changed, and the decision
/// published as the live event "released", "rerun" or "rejected" (result_id, specimen_row_id,
/// code, decided_by, decided_at, reason).
void announce_decision(const LabView& view, review::ReviewVerdict verdict, long long result_id,
                       const review::ReviewAnswer& answer);

}  // namespace hemalink::api
