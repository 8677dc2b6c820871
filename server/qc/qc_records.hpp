#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::qc {

/// What the Levey-Jennings series of a test asks for: its analyzer and test, optionally one
/// material and lot, the points since a time, at most `limit` of the latest.
struct QcSeriesQuery {
  std::string analyzer;
  std::string test;
  std::optional<std::string> material;
  std::optional<std::string> lot;
  std::optional<std::string> since;  ///< ISO 8601.
  std::size_t limit = 500;
};

/// The Levey-Jennings series of a test on an analyzer: one entry per control level (material
/// and level), its points oldest first, each with its lot (a change of lot shows), the target in
/// force, the z-score, the run (`run_rejected`: the run was rejected, by this result or by a
/// level measured after it), and the Westgard rules found when it was judged.
Result<std::string, store::StoreError> qc_series_json(const std::string& dsn,
                                                      const QcSeriesQuery& q);

/// Bracketing the latest QC failure of a test on an analyzer: the patient results of that test
/// released after the last accepted run before the failure, up to the accepted run that ended
/// it (or now): the results a technologist reviews, none recalled silently.
Result<std::string, store::StoreError> qc_bracket_json(const std::string& dsn,
                                                       const std::string& analyzer,
                                                       const std::string& test);

/// The points of the patient-based averages of `test` on `analyzer` (every method), oldest
/// first: at most `limit` of the latest, since a time when given.
Result<std::string, store::StoreError> qc_averages_json(const std::string& dsn,
                                                        const std::string& analyzer,
                                                        const std::string& test,
                                                        const std::optional<std::string>& since,
                                                        std::size_t limit);

/// Every patient-based average that has a point, on one analyzer or all: its latest point
/// (value, limits, points in a row outside, excursion), by analyzer and test: what the page
/// charts beside the XbarM, and what a lab's dashboard polls.
Result<std::string, store::StoreError> qc_latest_averages_json(
    const std::string& dsn, const std::optional<std::string>& analyzer);

}  // namespace hemalink::qc
