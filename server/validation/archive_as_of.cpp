#include "server/validation/archive_as_of.hpp"

namespace hemalink::validation {

std::optional<std::vector<ArchiveAsOf::PatientResult>> ArchiveAsOf::patient_results(
    std::string_view patient_id, std::string_view code, TimePoint since) {
  return one_patient_history(patient_id, code, since);
}

std::optional<std::vector<ArchiveAsOf::SpecimenResult>> ArchiveAsOf::specimen_results(
    std::string_view specimen_id) {
  return one_specimen_history(specimen_id);
}

std::optional<ArchiveAsOf::Histories> ArchiveAsOf::histories(const HistoryQuery& query) {
  auto bounded = query;
  bounded.before = now_;
  auto found = archive_->histories(bounded);
  failed_ = failed_ || !found;
  return found;
}

}  // namespace hemalink::validation
