#pragma once

#include <memory>

#include "server/rules/result_archive.hpp"
#include "server/validation/archived_specimen.hpp"

namespace hemalink::validation {

/// The archive of past results as it was at a moment of a replay: every read is bounded to what
/// was received before the clock, so a delta check replayed sees only the results stored before
/// its specimen, never one that came after.
class ArchiveAsOf final : public rules::ResultArchive {
 public:
  explicit ArchiveAsOf(std::shared_ptr<rules::ResultArchive> archive)
      : archive_(std::move(archive)) {}

  void set_clock(TimePoint now) { now_ = now; }
  /// True once a read could not be answered: the decisions that needed it were held for that, not
  /// by the rules, and the replay is not to be trusted.
  bool failed() const { return failed_; }

  std::optional<std::vector<PatientResult>> patient_results(std::string_view patient_id,
                                                            std::string_view code,
                                                            TimePoint since) override;
  std::optional<std::vector<SpecimenResult>> specimen_results(
      std::string_view specimen_id) override;
  std::optional<Histories> histories(const HistoryQuery& query) override;

 private:
  std::shared_ptr<rules::ResultArchive> archive_;
  TimePoint now_{};
  bool failed_ = false;
};

}  // namespace hemalink::validation
