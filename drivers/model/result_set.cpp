#include "drivers/model/result_set.hpp"

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
  if (code == "S" || code == "STAT")
    return Priority::Stat;
  if (code == "A" || code == "ASAP")
    return Priority::Asap;
  if (code == "R" || code == "ROUTINE" || code == "C" || code == "P" || code == "T")
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
