#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::store {

/// Where past results are read from when the cache does not have them: the database. Each
/// returns nullopt when it cannot be read now (the decision is then held, never guessed).
class ResultArchive {
 public:
  struct PatientResult {
    std::string specimen_id;
    double value = 0;
    std::chrono::system_clock::time_point received_at;
  };
  struct SpecimenResult {
    std::string code;
    double value = 0;
  };
  virtual ~ResultArchive() = default;
  /// The patient's numeric results of `code` received since `since`, newest first.
  virtual std::optional<std::vector<PatientResult>> patient_results(
      std::string_view patient_id, std::string_view code,
      std::chrono::system_clock::time_point since) = 0;
  /// The specimen's numeric results, oldest first (a later one of a code replaces an earlier).
  virtual std::optional<std::vector<SpecimenResult>> specimen_results(
      std::string_view specimen_id) = 0;
};

}  // namespace hemalink::store
