#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/qc/qc_definitions.hpp"

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

/// What the API reads of quality control in PostgreSQL, and the definitions put through it.
/// Callable from any thread; errors carry a store::StoreErrc.
class QcRecords {
 public:
  virtual ~QcRecords() = default;

  /// The Levey-Jennings series of a test on an analyzer: one entry per control level (material
  /// and level), its points oldest first, each with its lot (a change of lot shows), the target
  /// in force, the z-score, the run (`run_rejected`: the run was rejected, by this result or by a
  /// level measured after it), and the Westgard rules found when it was judged.
  virtual Result<std::string, Error> series(const QcSeriesQuery& q) const = 0;

  /// Bracketing the latest QC failure of a test on an analyzer: the patient results of that test
  /// released after the last accepted run before the failure, up to the accepted run that ended
  /// it (or now): the results a technologist reviews, none recalled silently.
  virtual Result<std::string, Error> bracket(const std::string& analyzer,
                                             const std::string& test) const = 0;

  /// The results the QC gate holds for a failed control run, grouped by episode (analyzer, test,
  /// and when the run was rejected): each group while it holds a result (also once QC is back in
  /// control), with the rejected run's rules and reason, the accepted run after it (if any), how
  /// many of its results people decided already, and the results still held, oldest first.
  virtual Result<std::string, Error> held() const = 0;

  /// Every result one episode's gate held (`rejected_at` as in its reason, 2026-12-07T10:05:00Z),
  /// decided since or not: {"members": [{result_id, specimen_id, test, is_held, decision,
  /// decided_by, decided_at}]} (the current decision).
  virtual Result<std::string, Error> held_group(const std::string& analyzer,
                                                const std::string& test,
                                                const std::string& rejected_at) const = 0;

  /// The points of the patient-based averages of `test` on `analyzer` (every method), oldest
  /// first: at most `limit` of the latest, since a time when given.
  virtual Result<std::string, Error> averages(const std::string& analyzer, const std::string& test,
                                              const std::optional<std::string>& since,
                                              std::size_t limit) const = 0;

  /// Every patient-based average that has a point, on one analyzer or all: its latest point
  /// (value, limits, points in a row outside, excursion), by analyzer and test: what the page
  /// charts beside the XbarM, and what a lab's dashboard polls.
  virtual Result<std::string, Error> latest_averages(
      const std::optional<std::string>& analyzer) const = 0;

  /// Puts a definition (put_qc_definition says how); the row as stored.
  virtual Result<QcDefinitionRow, Error> put_definition(const QcDefinitionRow& row) = 0;
};

}  // namespace hemalink::qc
