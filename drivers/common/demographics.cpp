// Senders' templates leave placeholders in demographic fields (PID-8 `SEX`, PID-7 `DOB`): a
// placeholder read as a value would feed sex- and age-specific rules with nonsense, so every
// demographic field is read through this one list.
#include "drivers/common/demographics.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace hemalink::drivers {
namespace {

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
    v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
    v.remove_suffix(1);
  return v;
}

std::string upper(std::string_view v) {
  std::string out(v);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::array<std::string_view, 19> kPlaceholders = {
    "\"\"",     "NULL",       "NONE",      "N/A", "-",         "?",          "XXX",
    "TBD",      "SEX",        "GENDER",    "DOB", "BIRTHDATE", "BIRTH DATE", "DATE OF BIRTH",
    "YYYYMMDD", "PATIENT ID", "PATIENTID", "PID", "MRN"};

}  // namespace

bool is_placeholder(std::string_view value) {
  const auto v = upper(trimmed(value));
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), v) != kPlaceholders.end();
}

std::string patient_sex(std::string_view value) {
  if (is_placeholder(value))
    return {};
  const auto v = upper(trimmed(value));
  struct Word {
    std::string_view word;
    std::string_view code;
  };
  constexpr std::array<Word, 6> kWords = {{{"MALE", "M"},
                                           {"FEMALE", "F"},
                                           {"OTHER", "O"},
                                           {"UNKNOWN", "U"},
                                           {"AMBIGUOUS", "A"},
                                           {"NOT APPLICABLE", "N"}}};
  for (const auto& w : kWords) {
    if (v == w.word || v == w.code)
      return std::string(w.code);
  }
  return std::string(trimmed(value));
}

std::string birth_date(std::string_view value) {
  const auto v = trimmed(value);
  if (v.size() < 8 ||
      !std::all_of(v.begin(), v.begin() + 8, [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  return std::string(v.substr(0, 8));
}

std::string demographic_text(std::string_view value) {
  return is_placeholder(value) ? std::string() : std::string(trimmed(value));
}

}  // namespace hemalink::drivers
