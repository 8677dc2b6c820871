#include "server/simulate/lymphocyte_subsets.hpp"

#include <algorithm>

#include "server/simulate/blood_count.hpp"

namespace hemalink::simulate {
namespace {

// [R29] (mean +/- SD): lymphocytes M 2,437 +/- 645, F 2,325 +/- 667 /uL; CD3 M 66.0 +/- 7.5 %,
// F 67.5 +/- 7.7 %; CD4/CD8 1.4 +/- 0.5 (M), 1.5 +/- 0.6 (F); CD4 + CD8 = 94.4 % of CD3 on the
// male means (62.3 / 66.0, derived).
constexpr double kLymphocytesMedian = 2300;
constexpr double kLymphocytesSigma = 0.27;
constexpr double kCd3MeanMale = 66.0;
constexpr double kCd3MeanFemale = 67.5;
constexpr double kCd3Sd = 7.6;
constexpr double kCd4Cd8RatioMedian = 1.35;
constexpr double kCd4Cd8RatioSigma = 0.33;
constexpr double kCd4PlusCd8OfCd3 = 0.944;
constexpr double kCd4PlusCd8OfCd3Sd = 0.025;
// HIV (chosen): fewer lymphocytes, CD4/CD8 inverted (median 0.4), so CD4 about 330 /uL and below
// 200 in about a third.
constexpr double kHivLymphocytesMedian = 1700;
constexpr double kHivLymphocytesSigma = 0.35;
constexpr double kHivCd3Mean = 72.0;
constexpr double kHivCd3Sd = 8.0;
constexpr double kHivRatioMedian = 0.4;
constexpr double kHivRatioSigma = 0.6;

}  // namespace

LymphocyteSubsets draw_lymphocyte_subsets(char sex, bool has_hiv, RandomDraws& draws) {
  LymphocyteSubsets s;
  const double cd3_mean = has_hiv ? kHivCd3Mean : (sex == 'M' ? kCd3MeanMale : kCd3MeanFemale);
  s.lymphocytes = has_hiv ? draws.log_normal(kHivLymphocytesMedian, kHivLymphocytesSigma)
                          : draws.log_normal(kLymphocytesMedian, kLymphocytesSigma);
  s.cd3_pct = std::clamp(draws.normal(cd3_mean, has_hiv ? kHivCd3Sd : kCd3Sd), 35.0, 92.0);
  const double ratio = has_hiv ? draws.log_normal(kHivRatioMedian, kHivRatioSigma)
                               : draws.log_normal(kCd4Cd8RatioMedian, kCd4Cd8RatioSigma);
  const double of_cd3 = std::clamp(draws.normal(kCd4PlusCd8OfCd3, kCd4PlusCd8OfCd3Sd), 0.85, 0.985);
  const double cd4_plus_cd8 = s.cd3_pct * of_cd3;
  s.cd4_pct = cd4_plus_cd8 * ratio / (1 + ratio);
  s.cd8_pct = cd4_plus_cd8 - s.cd4_pct;
  return s;
}

std::vector<LabValue> lymphocyte_subset_values(const LymphocyteSubsets& s) {
  const auto absolute = [&s](double pct) { return rounded(pct * s.lymphocytes / 100.0, 0); };
  return {
      {"CD3_PCT", rounded(s.cd3_pct, 1)}, {"CD3_ABS", absolute(s.cd3_pct)},
      {"CD4_PCT", rounded(s.cd4_pct, 1)}, {"CD4_ABS", absolute(s.cd4_pct)},
      {"CD8_PCT", rounded(s.cd8_pct, 1)}, {"CD8_ABS", absolute(s.cd8_pct)},
  };
}

}  // namespace hemalink::simulate
