#include "server/rules/reference_interval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace hemalink::rules {
namespace {

// Units are compared as labs write them: "g/dL" and "g/dl" are the same units.
bool same_units(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool units_allow(std::string_view interval, std::string_view result) {
  return interval.empty() || result.empty() || same_units(interval, result);
}

}  // namespace

bool ReferenceInterval::applies(std::string_view result_units, std::string_view patient_sex,
                                std::optional<double> age_years) const {
  if (!units_allow(units, result_units) || (!sex.empty() && sex != patient_sex))
    return false;
  if (!age_years)
    return age_from <= 0 && !age_to;
  return *age_years >= age_from && (!age_to || *age_years < *age_to);
}

bool ReferenceInterval::overlaps(const ReferenceInterval& other) const {
  const bool sexes = sex.empty() || other.sex.empty() || sex == other.sex;
  const bool ages =
      (!other.age_to || age_from < *other.age_to) && (!age_to || other.age_from < *age_to);
  return test == other.test && sexes && ages && units_allow(units, other.units);
}

std::string ReferenceInterval::describe() const {
  const auto ages = age_to ? fmt::format("ages {:g} to under {:g}", age_from, *age_to)
                           : fmt::format("ages {:g} and over", age_from);
  return fmt::format("{}, {}, {}", test, sex.empty() ? "either sex" : "sex " + sex, ages);
}

ReferenceIntervals::ReferenceIntervals(std::vector<ReferenceInterval> intervals)
    : intervals_(std::move(intervals)) {
  std::stable_sort(intervals_.begin(), intervals_.end(),
                   [](const auto& a, const auto& b) { return a.test < b.test; });
}

const ReferenceInterval* ReferenceIntervals::find(std::string_view test, std::string_view units,
                                                  std::string_view sex,
                                                  std::optional<double> age_years) const {
  auto it =
      std::lower_bound(intervals_.begin(), intervals_.end(), test,
                       [](const ReferenceInterval& i, std::string_view t) { return i.test < t; });
  for (; it != intervals_.end() && it->test == test; ++it) {
    if (it->applies(units, sex, age_years))
      return &*it;
  }
  return nullptr;
}

}  // namespace hemalink::rules
