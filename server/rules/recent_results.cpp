#include "server/rules/recent_results.hpp"

#include <algorithm>
#include <set>

namespace hemalink::rules {
namespace {

constexpr std::size_t kPerPatientAndTest = kPatientResultsKept;

std::string patient_key(std::string_view patient_id, std::string_view code) {
  std::string key(patient_id);
  key.push_back('\x1f');
  return key.append(code);
}

bool is_kept(const model::ResultSet& s) {
  return s.kind == model::SpecimenKind::Patient;
}

}  // namespace

RecentResults::RecentResults(std::shared_ptr<ResultArchive> archive, std::size_t capacity)
    : archive_(std::move(archive)), patients_(capacity), specimens_(capacity) {}

void RecentResults::record(const model::ResultSet& s, TimePoint received_at) {
  if (!is_kept(s))
    return;
  std::lock_guard lock(mutex_);
  // Only entries already loaded are extended: an absent one is read whole from the archive,
  // where this commit already is.
  const auto* patient_id = s.patient ? &s.patient->id : nullptr;
  auto* results = s.specimen_id.empty() ? nullptr : specimens_.find(s.specimen_id);
  for (const auto& o : s.observations) {
    if (!o.numeric)
      continue;
    if (results != nullptr)
      results->push_back({o.code, *o.numeric});
    if (patient_id == nullptr || patient_id->empty())
      continue;
    if (auto* history = patients_.find(patient_key(*patient_id, o.code))) {
      history->insert(history->begin(), {s.specimen_id, *o.numeric, received_at});
      if (history->size() > kPerPatientAndTest)
        history->pop_back();
    }
  }
}

// Under the lock: what of these specimens is not cached, each asked once.
ResultArchive::HistoryQuery RecentResults::missing(
    std::span<const model::ResultSet* const> specimens,
    const std::function<bool(std::string_view code)>& reads_previous) {
  ResultArchive::HistoryQuery query;
  std::set<std::string> asked;
  for (const auto* s : specimens) {
    if (!is_kept(*s)) {
      continue;
    }
    if (!s->specimen_id.empty() && specimens_.find(s->specimen_id) == nullptr &&
        asked.insert('s' + s->specimen_id).second) {
      query.specimen_ids.push_back(s->specimen_id);
    }
    if (!s->patient || s->patient->id.empty()) {
      continue;
    }
    for (const auto& o : s->observations) {
      if (reads_previous && !reads_previous(o.code)) {
        continue;
      }
      auto key = patient_key(s->patient->id, o.code);
      if (patients_.find(key) == nullptr && asked.insert('p' + key).second) {
        query.patient_codes.emplace_back(s->patient->id, o.code);
      }
    }
  }
  return query;
}

void RecentResults::prefetch(std::span<const model::ResultSet* const> specimens, TimePoint earliest,
                             const std::function<bool(std::string_view code)>& reads_previous) {
  ResultArchive::HistoryQuery query;
  {
    std::lock_guard lock(mutex_);
    query = missing(specimens, reads_previous);
  }
  if (query.patient_codes.empty() && query.specimen_ids.empty()) {
    return;
  }
  query.since = earliest - kHistoryHorizon;
  auto found = archive_->histories(query);  // not under the lock: other specimens go on meanwhile
  if (!found) {
    return;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [patient, code] : query.patient_codes) {
    auto it = found->patients.find({patient, code});
    auto history = it == found->patients.end() ? PatientHistory{} : std::move(it->second);
    if (history.size() > kPerPatientAndTest) {
      history.resize(kPerPatientAndTest);
    }
    patients_.put(patient_key(patient, code), std::move(history));
  }
  for (const auto& id : query.specimen_ids) {
    auto it = found->specimens.find(id);
    specimens_.put(id, it == found->specimens.end() ? SpecimenHistory{} : std::move(it->second));
  }
}

template <typename History, typename Load, typename Answer>
std::optional<double> RecentResults::answer(LruMap<History>& map, const std::string& key, Load load,
                                            Answer answer, bool& failed) {
  {
    std::lock_guard lock(mutex_);
    if (const auto* cached = map.find(key))
      return answer(*cached);
  }
  auto loaded = load();  // not under the lock: other specimens go on meanwhile
  if (!loaded) {
    failed = true;
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  return answer(map.put(key, std::move(*loaded)));
}

std::optional<double> RecentResults::View::previous(const model::ResultSet& s,
                                                    std::string_view code,
                                                    double within_seconds) const {
  if (!is_kept(s) || !s.patient || s.patient->id.empty())
    return std::nullopt;
  const auto since = at_ - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               std::chrono::duration<double>(within_seconds));
  auto load = [&]() -> std::optional<PatientHistory> {
    auto loaded = cache_.archive_->patient_results(s.patient->id, code, at_ - kHistoryHorizon);
    if (loaded && loaded->size() > kPerPatientAndTest)
      loaded->resize(kPerPatientAndTest);
    return loaded;
  };
  auto newest_within = [&](const PatientHistory& history) -> std::optional<double> {
    for (const auto& r : history) {  // newest first
      if (r.received_at < at_ && r.received_at >= since && r.specimen_id != s.specimen_id)
        return r.value;
    }
    return std::nullopt;
  };
  return cache_.answer(cache_.patients_, patient_key(s.patient->id, code), load, newest_within,
                       failed_);
}

std::optional<double> RecentResults::View::same_specimen(const model::ResultSet& s,
                                                         std::string_view code) const {
  if (!is_kept(s) || s.specimen_id.empty())
    return std::nullopt;
  auto load = [&] { return cache_.archive_->specimen_results(s.specimen_id); };
  auto latest = [&](const SpecimenHistory& results) -> std::optional<double> {
    for (auto it = results.rbegin(); it != results.rend(); ++it) {
      if (it->code == code)
        return it->value;
    }
    return std::nullopt;
  };
  return cache_.answer(cache_.specimens_, s.specimen_id, load, latest, failed_);
}

}  // namespace hemalink::rules
