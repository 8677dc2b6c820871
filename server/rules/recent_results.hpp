#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/rules/compiled_expression.hpp"
#include "server/rules/lru_map.hpp"
#include "server/rules/result_archive.hpp"

namespace hemalink::rules {

using TimePoint = std::chrono::system_clock::time_point;

/// How far back previous results are kept and looked for: the longest window a rule may ask for.
inline constexpr std::chrono::hours kHistoryHorizon{31 * 24};

/// The bounded in-memory cache of past results that delta checks, reruns and calculations across
/// analyzers read: per patient and test, and per specimen. A miss reads the archive once; results
/// committed afterwards are added with record(). Thread-safe.
class RecentResults {
 public:
  RecentResults(std::shared_ptr<ResultArchive> archive, std::size_t capacity);

  /// Adds the results of a specimen the store has committed (QC and unidentified ones are not
  /// kept: they are never anyone's previous result).
  void record(const model::ResultSet& specimen, TimePoint received_at);

  /// Reads into the cache, in one archive query, what the rules may ask of these specimens'
  /// past and is not cached yet: each patient's earlier results of each code the specimen has,
  /// and each specimen's own earlier results. What the archive has none of is remembered as none.
  /// When the archive cannot be read, nothing changes (the lookups then try it themselves).
  /// `earliest`: the earliest time any of them was received. `reads_previous`, when given, says
  /// which codes' history the rules read (the others' is left for a lookup to read, if any).
  void prefetch(std::span<const model::ResultSet* const> specimens, TimePoint earliest,
                const std::function<bool(std::string_view code)>& reads_previous = {});

  /// The history seen from one specimen received at `received_at`, for one decision.
  class View final : public ResultHistory {
   public:
    View(RecentResults& cache, TimePoint received_at) : cache_(cache), at_(received_at) {}
    std::optional<double> previous(const model::ResultSet& specimen, std::string_view code,
                                   double within_seconds) const override;
    std::optional<double> same_specimen(const model::ResultSet& specimen,
                                        std::string_view code) const override;
    /// True when a lookup needed the archive and it could not be read.
    bool failed() const { return failed_; }

   private:
    RecentResults& cache_;
    TimePoint at_;
    mutable bool failed_ = false;
  };

  View view(TimePoint received_at) { return View(*this, received_at); }

 private:
  using PatientHistory = std::vector<ResultArchive::PatientResult>;  // newest first
  using SpecimenHistory = std::vector<ResultArchive::SpecimenResult>;

  /// Answers from the cached entry for `key`, reading it from the archive first when absent.
  /// The answer is computed under the lock: nothing is copied out. `failed` is set when the
  /// archive could not be read.
  ResultArchive::HistoryQuery missing(
      std::span<const model::ResultSet* const> specimens,
      const std::function<bool(std::string_view code)>& reads_previous);

  template <typename History, typename Load, typename Answer>
  std::optional<double> answer(LruMap<History>& map, const std::string& key, Load load,
                               Answer answer, bool& failed);

  std::shared_ptr<ResultArchive> archive_;
  std::mutex mutex_;
  LruMap<PatientHistory> patients_;
  LruMap<SpecimenHistory> specimens_;
};

}  // namespace hemalink::rules
