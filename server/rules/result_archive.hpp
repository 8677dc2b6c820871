#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hemalink::rules {

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

  /// What a batch of specimens may ask of the past, asked at once.
  struct HistoryQuery {
    /// (patient ID, code) pairs: each patient's results of that code since `since`.
    std::vector<std::pair<std::string, std::string>> patient_codes;
    std::vector<std::string> specimen_ids;  ///< Each specimen's own earlier results.
    std::chrono::system_clock::time_point since;
    /// When set, only what was received before it: the archive as it was then (a backtest's
    /// replay); none: everything stored.
    std::optional<std::chrono::system_clock::time_point> before;
  };
  struct Histories {
    /// Per pair asked, newest first (at most `kPatientResultsKept`); a pair without any is
    /// absent.
    std::map<std::pair<std::string, std::string>, std::vector<PatientResult>> patients;
    /// Per specimen asked, oldest first; a specimen without any is absent.
    std::map<std::string, std::vector<SpecimenResult>> specimens;
  };
  /// Answers the whole query, or nullopt when it cannot be read now. This one asks one pair and
  /// one specimen at a time; a database answers it in one round trip.
  virtual std::optional<Histories> histories(const HistoryQuery& query);

 protected:
  /// patient_results() and specimen_results() for an archive that answers histories() itself:
  /// one query of one pair, or of one specimen.
  std::optional<std::vector<PatientResult>> one_patient_history(
      std::string_view patient_id, std::string_view code,
      std::chrono::system_clock::time_point since);
  std::optional<std::vector<SpecimenResult>> one_specimen_history(std::string_view specimen_id);
};

inline std::optional<ResultArchive::Histories> ResultArchive::histories(const HistoryQuery& query) {
  Histories found;
  for (const auto& [patient, code] : query.patient_codes) {
    auto results = patient_results(patient, code, query.since);
    if (!results) {
      return std::nullopt;
    }
    if (!results->empty()) {
      found.patients[{patient, code}] = std::move(*results);
    }
  }
  for (const auto& id : query.specimen_ids) {
    auto results = specimen_results(id);
    if (!results) {
      return std::nullopt;
    }
    if (!results->empty()) {
      found.specimens[id] = std::move(*results);
    }
  }
  return found;
}

inline std::optional<std::vector<ResultArchive::PatientResult>> ResultArchive::one_patient_history(
    std::string_view patient_id, std::string_view code,
    std::chrono::system_clock::time_point since) {
  HistoryQuery query;
  query.patient_codes.emplace_back(patient_id, code);
  query.since = since;
  auto found = histories(query);
  if (!found) {
    return std::nullopt;
  }
  auto it = found->patients.begin();
  return it == found->patients.end() ? std::vector<PatientResult>{} : std::move(it->second);
}

inline std::optional<std::vector<ResultArchive::SpecimenResult>>
ResultArchive::one_specimen_history(std::string_view specimen_id) {
  HistoryQuery query;
  query.specimen_ids.emplace_back(specimen_id);
  auto found = histories(query);
  if (!found) {
    return std::nullopt;
  }
  auto it = found->specimens.begin();
  return it == found->specimens.end() ? std::vector<SpecimenResult>{} : std::move(it->second);
}

/// How many of a patient's results of one code patient_results() and histories() return.
inline constexpr std::size_t kPatientResultsKept = 16;

}  // namespace hemalink::rules
