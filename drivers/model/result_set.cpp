#include "drivers/model/result_set.hpp"

#include <cctype>
#include <string>

namespace hemalink::model {

const Observation* find_result(const ResultSet& specimen, std::string_view code) {
  for (const auto& o : specimen.observations) {
    if (o.code == code)
      return &o;
  }
  return nullptr;
}

const char* to_string(SpecimenKind kind) {
  switch (kind) {
    case SpecimenKind::Patient:
      return "patient";
    case SpecimenKind::QualityControl:
      return "qc";
    case SpecimenKind::Calibration:
      return "calibration";
  }
  return "patient";
}

const char* to_string(Priority priority) {
  switch (priority) {
    case Priority::Unknown:
      return "";
    case Priority::Routine:
      return "routine";
    case Priority::Asap:
      return "asap";
    case Priority::Stat:
      return "stat";
  }
  return "";
}

const char* priority_code(Priority priority) {
  switch (priority) {
    case Priority::Stat:
      return "S";
    case Priority::Asap:
      return "A";
    default:
      return "R";
  }
}

Priority priority_from_code(std::string_view code) {
  std::string word;
  for (char c : code) {
    if (c != ' ' && c != '-' && c != '_')
      word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (word == "S" || word == "STAT")
    return Priority::Stat;
  if (word == "A" || word == "ASAP" || word == "URGENT")
    return Priority::Asap;
  if (word == "R" || word == "ROUTINE" || word == "C" || word == "CALLBACK" || word == "P" ||
      word == "PREOP" || word == "PREOPERATIVE" || word == "T" || word == "TIMINGCRITICAL")
    return Priority::Routine;
  return Priority::Unknown;
}

const char* to_string(Comparator comparator) {
  switch (comparator) {
    case Comparator::None:
      return "";
    case Comparator::Less:
      return "<";
    case Comparator::LessOrEqual:
      return "<=";
    case Comparator::Greater:
      return ">";
    case Comparator::GreaterOrEqual:
      return ">=";
  }
  return "";
}

const char* to_string(ResultStatus status) {
  switch (status) {
    case ResultStatus::Final:
      return "final";
    case ResultStatus::Preliminary:
      return "preliminary";
    case ResultStatus::Corrected:
      return "corrected";
    case ResultStatus::CannotReport:
      return "cannot_report";
  }
  return "final";
}

}  // namespace hemalink::model
