#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/files/text_position.hpp"

namespace hemalink::rules {

/// A test's reference interval for a sex and an age band, as a lab writes it in a rules file
/// (`reference_intervals`): what `reference_low` and `reference_high` read, and the range the
/// review queue shows when the analyzer sent none.
struct ReferenceInterval {
  std::string test;
  std::string sex;      ///< "M" or "F"; empty: either sex (and a patient whose sex is not known).
  double age_from = 0;  ///< Years, inclusive.
  std::optional<double> age_to;  ///< Years, exclusive; none: no upper end.
  double low = 0;
  double high = 0;
  std::string range;  ///< "13.5-17.5": the limits as the file writes them.
  std::string units;  ///< Empty: any units.
  std::string source;
  std::string file;        ///< The rules file it was read from.
  files::TextPosition at;  ///< Where it starts in that file.
  std::string where;       ///< `reference_intervals[2]`.

  /// True for a result in `result_units` of a patient of `patient_sex` and `age_years`: an
  /// interval bound to a sex needs that sex, one bound to ages needs a known age, and one with
  /// units needs a result in the same units (or without units).
  bool applies(std::string_view result_units, std::string_view patient_sex,
               std::optional<double> age_years) const;
  /// True when one result could fall in both: the same test, a sex and an age both allow, and
  /// units that can be the same.
  bool overlaps(const ReferenceInterval& other) const;
  /// `HGB, sex M, ages 18 and over`: what an error names.
  std::string describe() const;
};

/// A rule set's reference intervals, looked up by test: at most one applies to a result (the
/// loader refuses overlapping ones).
class ReferenceIntervals {
 public:
  ReferenceIntervals() = default;
  explicit ReferenceIntervals(std::vector<ReferenceInterval> intervals);

  /// The interval for a result of `test` in `units` of a patient of `sex` and `age_years`;
  /// nullptr when none applies.
  const ReferenceInterval* find(std::string_view test, std::string_view units, std::string_view sex,
                                std::optional<double> age_years) const;
  const std::vector<ReferenceInterval>& all() const { return intervals_; }

 private:
  std::vector<ReferenceInterval> intervals_;  ///< By test, then in file order.
};

}  // namespace hemalink::rules
