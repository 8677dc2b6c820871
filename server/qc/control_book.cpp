#include "server/qc/control_book.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

namespace hemalink::qc {
using records::GateStatus;
namespace {

// 12-x, the longest rule, reads twelve values: twelve runs hold at least that many.
constexpr std::size_t kEarlierRuns = 12;
// Judgements remembered per control, so a retransmitted measurement is not judged twice.
constexpr std::size_t kRememberedPerControl = 64;

std::string utc(Clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

// Run IDs: to the microsecond, so two runs of a test never share one.
std::string utc_micros(Clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, micros);
}

std::string hours(std::chrono::minutes m) {
  return m.count() % 60 == 0 ? fmt::format("{} h", m.count() / 60)
                             : fmt::format("{} min", m.count());
}

bool is_judgeable(const model::Observation& o) {
  return o.numeric && std::isfinite(*o.numeric) && o.comparator == model::Comparator::None &&
         o.status != model::ResultStatus::CannotReport;
}

// A result's control: as the analyzer names it; else as the definitions name its specimen (the
// XN's QC sample number); else the specimen ID is the level.
ControlKey key_of(const ControlDefinitions& definitions, const std::string& analyzer,
                  const model::ResultSet& set, const model::Observation& o) {
  if (set.qc_level.empty()) {
    if (const auto* named = definitions.control_of_sample(analyzer, set.specimen_id)) {
      return {analyzer, o.code, named->material, named->level, named->lot};
    }
  }
  return {analyzer, o.code, set.qc_material, set.qc_level.empty() ? set.specimen_id : set.qc_level,
          set.qc_lot};
}

std::string measurement_of(const records::Receipt& receipt, const model::ResultSet& set,
                           const model::Observation& o) {
  const auto when = o.measured_at.empty() ? "message " + receipt.id.to_string() : o.measured_at;
  return fmt::format("{}|{}|{}", set.specimen_id, when, o.value);
}

std::string rejecting(const std::vector<records::ControlJudgement::Violation>& violations) {
  std::string out;
  for (const auto& v : violations) {
    if (v.rule != to_string(WestgardRule::Warning12s)) {
      out += fmt::format("{}{} ({})", out.empty() ? "" : "; ", v.rule, v.detail);
    }
  }
  return out;
}

std::string excursion_reason(std::string_view method, std::string_view test, Clock::time_point at,
                             double value, double low, double high) {
  return fmt::format("{} of {} out of its limits at {}: {:.4g} (limits {:.4g}-{:.4g})", method,
                     test, utc(at), value, low, high);
}

// The level a run counts once: material and level, whatever the lot.
std::string level_of(const ControlKey& key) {
  return key.material + '\x1f' + key.level;
}

}  // namespace

std::string run_label(const ControlKey& key) {
  std::string detail = key.material;
  if (!key.lot.empty()) {
    detail += (detail.empty() ? "lot " : " lot ") + key.lot;
  }
  return detail.empty() ? key.level : fmt::format("{} ({})", key.level, detail);
}

ControlBook::ControlBook(ControlDefinitions definitions, QcPolicy policy)
    : definitions_(std::move(definitions)), policy_(policy) {
  for (const auto& d : definitions_.controls) {
    define(d);
  }
}

void ControlBook::define(const ControlDefinition& d) {
  auto& control = control_of(d.key);
  if (!d.sample.empty() && definitions_.control_of_sample(d.key.analyzer, d.sample) == nullptr) {
    definitions_.controls.push_back({d.key, std::nullopt, 0, d.sample});  // its sample is known
  }
  if (d.target) {
    control.target = d.target;
    control.establishing.clear();
    test_of(d.key.analyzer, d.key.test).has_target = true;
  }
  if (d.establish_runs != 0) {
    control.establish_runs = d.establish_runs;
  }
}

void ControlBook::redefine(ControlDefinitions definitions, QcPolicy policy) {
  std::unique_lock lock(mutex_);
  definitions_ = std::move(definitions);
  policy_ = policy;
  for (const auto& d : definitions_.controls) {
    define(d);
  }
  for (const auto& d : overrides_) {
    define(d);
  }
  for (auto& [analyzer, tests] : tests_) {
    for (auto& [test, state] : tests) {
      state.rules = definitions_.rules_of(analyzer, test);
    }
  }
  averages_.clear();  // built again from the new policy as results arrive
}

void ControlBook::override_definition(ControlDefinition definition) {
  std::unique_lock lock(mutex_);
  keep_override(std::move(definition));
}

// In force, and kept to win over the file's at each reload: one per control.
void ControlBook::keep_override(ControlDefinition definition) {
  define(definition);
  auto same = std::find_if(overrides_.begin(), overrides_.end(),
                           [&](const ControlDefinition& d) { return d.key == definition.key; });
  if (same == overrides_.end()) {
    overrides_.push_back(std::move(definition));
  } else {
    *same = std::move(definition);
  }
}

std::vector<ControlBook::DefinedControl> ControlBook::definitions() const {
  std::shared_lock lock(mutex_);
  std::vector<DefinedControl> out;
  for (const auto& d : definitions_.controls) {
    const bool overridden = std::any_of(overrides_.begin(), overrides_.end(),
                                        [&](const ControlDefinition& o) { return o.key == d.key; });
    if (!overridden) {
      out.push_back({d, false});
    }
  }
  for (const auto& d : overrides_) {
    out.push_back({d, true});
  }
  return out;
}

void ControlBook::set_history(HistoryRead read) {
  std::lock_guard guard(restore_mutex_);
  history_read_ = std::move(read);
  is_restored_ = false;
}

Result<void, Error> ControlBook::restore_if_needed() {
  if (is_restored_) {
    return {};
  }
  std::lock_guard guard(restore_mutex_);
  if (is_restored_) {
    return {};
  }
  auto history = history_read_();
  if (!history) {
    return history.error();
  }
  restore(*history);
  is_restored_ = true;
  return {};
}

ControlBook::Control& ControlBook::control_of(const ControlKey& key) {
  auto [it, fresh] = controls_.try_emplace(key);
  if (fresh) {
    it->second.establish_runs = policy_.establish_runs;
  }
  return it->second;
}

ControlBook::Test& ControlBook::test_of(const std::string& analyzer, const std::string& test) {
  auto& tests = tests_[analyzer];
  auto it = tests.find(test);
  if (it == tests.end()) {
    it = tests.emplace(test, Test{}).first;
    it->second.rules = definitions_.rules_of(analyzer, test);
  }
  return it->second;
}

const ControlBook::Test* ControlBook::find_test(std::string_view analyzer,
                                                std::string_view test) const {
  const auto a = tests_.find(analyzer);
  if (a == tests_.end()) {
    return nullptr;
  }
  const auto t = a->second.find(test);
  return t == a->second.end() ? nullptr : &t->second;
}

BatchQc ControlBook::consult(std::span<const records::Receipt* const> receipts,
                             std::span<const records::MessageContent> contents) {
  BatchQc out;
  if (auto restored = restore_if_needed(); !restored) {
    out.unreadable = restored.error().detail;
    return out;
  }
  std::unique_lock lock(mutex_);
  for (std::size_t i = 0; i < receipts.size() && i < contents.size(); ++i) {
    const auto& receipt = *receipts[i];
    auto& message = out.messages.emplace_back();
    if (contents[i].status == records::MessageStatus::Accepted) {
      for (std::size_t s = 0; s < contents[i].result_sets.size(); ++s) {
        auto judged = judge_locked(receipt, contents[i].result_sets[s], s);
        message.judgements.insert(message.judgements.end(), std::make_move_iterator(judged.begin()),
                                  std::make_move_iterator(judged.end()));
      }
      message.average_points = average_locked(receipt, contents[i].result_sets);
    }
    message.gates = snapshot_locked(receipt.analyzer, receipt.received_at);
  }
  return out;
}

std::vector<records::ControlJudgement> ControlBook::judge(const records::Receipt& receipt,
                                                          const model::ResultSet& set,
                                                          std::size_t set_index) {
  std::unique_lock lock(mutex_);
  return judge_locked(receipt, set, set_index);
}

std::vector<records::ControlJudgement> ControlBook::judge_locked(const records::Receipt& receipt,
                                                                 const model::ResultSet& set,
                                                                 std::size_t set_index) {
  std::vector<records::ControlJudgement> out;
  if (set.kind != model::SpecimenKind::QualityControl) {
    return out;
  }
  for (std::size_t o = 0; o < set.observations.size(); ++o) {
    const auto& observation = set.observations[o];
    if (!is_judgeable(observation)) {
      continue;
    }
    const auto key = key_of(definitions_, receipt.analyzer, set, observation);
    auto& control = control_of(key);
    const auto measurement = measurement_of(receipt, set, observation);
    if (auto seen = control.judged.find(measurement); seen != control.judged.end()) {
      out.push_back(seen->second);
    } else {
      auto& test = test_of(key.analyzer, key.test);
      out.push_back(judge_value(key, control, test, *observation.numeric, receipt.received_at));
      out.back().measurement = measurement;
      remember(control, out.back());
    }
    out.back().set = set_index;
    out.back().observation = o;
  }
  return out;
}

records::ControlJudgement ControlBook::judge_value(const ControlKey& key, Control& control,
                                                   Test& test, double value, Clock::time_point at) {
  records::ControlJudgement j;
  j.test = key.test;
  j.material = key.material;
  j.level = key.level;
  j.lot = key.lot;
  j.value = value;
  if (!control.target) {
    j.is_establishing = true;
    control.establishing.push_back(value);
    establish(control, j);
    test.has_target = test.has_target || control.target.has_value();
    return j;
  }
  const auto& target = *control.target;
  j.mean = target.mean;
  j.sd = target.sd;
  j.z = (value - target.mean) / target.sd;
  const auto label = run_label(key);
  auto& run = run_for(test, key, at);
  run.values.values.push_back({label, *j.z});
  run.levels.insert(level_of(key));
  const auto evaluation = evaluate(test.earlier, run.values, test.rules);
  j.run_id = run.id;
  j.run_started_at = run.started_at;
  for (const auto& v : run.values.values) {
    j.run_values.push_back({v.level, v.z});
  }
  for (const auto& v : evaluation.violations) {
    j.violations.push_back({std::string(to_string(v.rule)), v.detail});
  }
  j.run_rejected = evaluation.is_rejected;
  settle(test, run, j.run_rejected, j.violations, at);
  return j;
}

// A rejected run puts the test out; an accepted run puts it back in once it has measured every
// level of the rejected runs (one level rerun and accepted does not vouch for the others).
void ControlBook::settle(Test& test, const Run& run, bool is_rejected,
                         const std::vector<records::ControlJudgement::Violation>& violations,
                         Clock::time_point at) {
  test.last_judged_at = at;
  if (is_rejected) {
    if (!test.last_rejected) {
      test.rejected_at = at;
      test.rejected_by = rejecting(violations);
    }
    test.last_rejected = true;
    test.rejected_levels.insert(run.levels.begin(), run.levels.end());
    return;
  }
  if (!std::includes(run.levels.begin(), run.levels.end(), test.rejected_levels.begin(),
                     test.rejected_levels.end())) {
    return;
  }
  test.last_rejected = false;
  test.rejected_levels.clear();
  test.average_block.reset();
}

// The control's first results set its target: their mean and sample SD. Results all alike (SD
// 0) cannot: the oldest makes way and the control goes on establishing.
void ControlBook::establish(Control& control, records::ControlJudgement& j) {
  const auto n = control.establishing.size();
  if (n < control.establish_runs) {
    return;
  }
  const auto& values = control.establishing;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  double squares = 0;
  for (const double v : values) {
    squares += (v - mean) * (v - mean);
  }
  const double sd = std::sqrt(squares / static_cast<double>(n - 1));
  if (!(sd > 0) || !std::isfinite(sd)) {
    control.establishing.erase(control.establishing.begin());
    return;
  }
  control.target = ControlTarget{mean, sd};
  control.establishing.clear();
  j.mean = mean;
  j.sd = sd;
}

// A level measured again starts a new run (a new lot of a level run beside the old is a run of
// its own), and so does one measured after the run's window.
ControlBook::Run& ControlBook::run_for(Test& test, const ControlKey& key, Clock::time_point at) {
  if (test.open) {
    const auto apart =
        at > test.open->started_at ? at - test.open->started_at : test.open->started_at - at;
    if (apart <= policy_.run_window && !test.open->levels.contains(level_of(key))) {
      return *test.open;
    }
  }
  close_run(test);
  test.open = Run{fmt::format("{}/{}/{}", key.analyzer, key.test, utc_micros(at)), at, {}, {}};
  return *test.open;
}

void ControlBook::close_run(Test& test) {
  if (test.open && !test.open->values.values.empty()) {
    test.earlier.push_back(std::move(test.open->values));
    if (test.earlier.size() > kEarlierRuns) {
      test.earlier.erase(test.earlier.begin());
    }
  }
  test.open.reset();
}

void ControlBook::remember(Control& control, const records::ControlJudgement& j) {
  if (!control.judged.emplace(j.measurement, j).second) {
    return;
  }
  control.judged_order.push_back(j.measurement);
  if (control.judged_order.size() > kRememberedPerControl) {
    control.judged.erase(control.judged_order.front());
    control.judged_order.erase(control.judged_order.begin());
  }
}

void ControlBook::restore(const QcHistory& history) {
  std::unique_lock lock(mutex_);
  for (const auto& stored : history.judgements) {
    replay(stored);
  }
  for (const auto& stored : history.averages) {
    resume(stored);
  }
  for (const auto& row : history.definitions) {
    ControlDefinition d{{row.analyzer, row.test, row.material, row.level, row.lot},
                        std::nullopt,
                        row.establish_runs ? static_cast<std::size_t>(*row.establish_runs) : 0,
                        row.sample};
    if (row.mean && row.sd) {
      d.target = ControlTarget{*row.mean, *row.sd};
    }
    keep_override(std::move(d));
  }
}

void ControlBook::resume(const records::StoredAveragePoint& stored) {
  const auto& p = stored.point;
  auto* average = average_of(stored.analyzer, p.test);
  if (average == nullptr || p.method != to_string(average->settings().method)) {
    return;  // no longer watched, or watched another way: it starts afresh
  }
  average->resume(p.value, p.outside);
  auto& test = test_of(stored.analyzer, p.test);
  const bool cleared =
      test.last_judged_at && *test.last_judged_at > stored.at && !test.last_rejected;
  if (p.is_excursion && p.acts_on_gate && !cleared) {
    test.average_block = Test::AverageBlock{
        stored.at, excursion_reason(p.method, p.test, stored.at, p.value, p.low, p.high)};
  }
}

// A stored judgement changes the state as it did when it was made. A target defined in the file
// stays: the file may have been corrected since.
void ControlBook::replay(const records::StoredJudgement& stored) {
  const auto& j = stored.judgement;
  const ControlKey key{stored.analyzer, j.test, j.material, j.level, j.lot};
  auto& control = control_of(key);
  auto& test = test_of(key.analyzer, key.test);
  if (j.is_establishing) {
    if (!control.target) {
      control.establishing.push_back(j.value);
      if (j.mean && j.sd) {
        control.target = ControlTarget{*j.mean, *j.sd};
        control.establishing.clear();
        test.has_target = true;
      }
    }
  } else if (j.z) {
    if (!control.target && j.mean && j.sd) {
      control.target = ControlTarget{*j.mean, *j.sd};
    }
    test.has_target = true;
    if (!test.open || test.open->id != j.run_id) {
      close_run(test);
      test.open = Run{j.run_id, j.run_started_at, {}, {}};
    }
    test.open->values.values.push_back({run_label(key), *j.z});
    test.open->levels.insert(level_of(key));
    settle(test, *test.open, j.run_rejected, j.violations, stored.evaluated_at);
  }
  remember(control, j);
}

GateState ControlBook::gate(std::string_view analyzer, std::string_view test,
                            Clock::time_point at) const {
  std::shared_lock lock(mutex_);
  return gate_locked(analyzer, test, at);
}

GateSnapshot ControlBook::snapshot_locked(std::string_view analyzer, Clock::time_point at) const {
  GateSnapshot out;
  if (const auto a = tests_.find(analyzer); a != tests_.end()) {
    for (const auto& [test, state] : a->second) {
      out.tests.emplace(test, gate_locked(analyzer, test, at));
    }
  }
  return out;
}

const GateState& GateSnapshot::gate(std::string_view test) const {
  static const GateState kNotUnderQc;
  const auto it = tests.find(test);
  return it == tests.end() ? kNotUnderQc : it->second;
}

GateState ControlBook::gate_locked(std::string_view analyzer, std::string_view test,
                                   Clock::time_point at) const {
  const auto* t = find_test(analyzer, test);
  if (t != nullptr && t->average_block && !t->last_rejected) {
    return {GateStatus::Out, true, t->average_block->reason};
  }
  if (t == nullptr || !t->has_target) {
    return {};
  }
  if (!t->last_judged_at) {
    return {GateStatus::Unknown, true,
            fmt::format("no QC run of {} on {} has been judged yet: held until an accepted run",
                        test, analyzer)};
  }
  if (t->last_rejected) {
    return {GateStatus::Out, true,
            fmt::format("QC rejected at {}: {}", utc(t->rejected_at), t->rejected_by)};
  }
  if (at - *t->last_judged_at > policy_.interval) {
    return {GateStatus::Unknown, true,
            fmt::format("no QC run of {} on {} within {} (the last was at {})", test, analyzer,
                        hours(policy_.interval), utc(*t->last_judged_at))};
  }
  return {GateStatus::In, true, ""};
}

std::vector<records::AveragePointRow> ControlBook::average(
    const records::Receipt& receipt, const std::vector<model::ResultSet>& sets) {
  std::unique_lock lock(mutex_);
  return average_locked(receipt, sets);
}

std::vector<records::AveragePointRow> ControlBook::average_locked(
    const records::Receipt& receipt, const std::vector<model::ResultSet>& sets) {
  std::vector<records::AveragePointRow> out;
  for (const auto& set : sets) {
    if (set.kind != model::SpecimenKind::Patient || is_averaged(receipt, set)) {
      continue;
    }
    for (const auto& o : set.observations) {
      if (o.numeric && o.comparator == model::Comparator::None &&
          o.status == model::ResultStatus::Final) {
        add_to_averages(receipt, o, out);
      }
    }
  }
  return out;
}

void ControlBook::add_to_averages(const records::Receipt& receipt, const model::Observation& o,
                                  std::vector<records::AveragePointRow>& out) {
  auto* average = average_of(receipt.analyzer, o.code);
  const auto p = average != nullptr ? average->add(*o.numeric) : std::nullopt;
  if (!p) {
    return;
  }
  out.push_back(point_row(*average, *p));
  if (!p->is_excursion) {
    return;
  }
  ++excursions_[{receipt.analyzer, o.code, out.back().method}];
  const auto& s = average->settings();
  if (!s.acts_on_gate) {
    return;  // an alarm only: the test's gate is not touched (nor listed)
  }
  auto& test = test_of(receipt.analyzer, o.code);
  if (!test.average_block) {
    test.average_block = Test::AverageBlock{
        receipt.received_at, excursion_reason(to_string(s.method), o.code, receipt.received_at,
                                              p->value, s.low, s.high)};
  }
}

// Each measurement counts once in the averages, however often its message is read or sent: it is
// known by its analyzer, specimen and first result's measurement (as controls are).
bool ControlBook::is_averaged(const records::Receipt& receipt, const model::ResultSet& set) {
  constexpr std::size_t kRemembered = 4096;
  if (set.observations.empty()) {
    return true;
  }
  auto id = receipt.analyzer + '|' + measurement_of(receipt, set, set.observations.front());
  if (!averaged_measurements_.insert(id).second) {
    return true;
  }
  averaged_order_.push_back(std::move(id));
  if (averaged_order_.size() > kRemembered) {
    averaged_measurements_.erase(averaged_order_.front());
    averaged_order_.pop_front();
  }
  return false;
}

PatientAverage* ControlBook::average_of(const std::string& analyzer, const std::string& test) {
  auto& of_analyzer = averages_[analyzer];
  auto it = of_analyzer.find(test);
  if (it == of_analyzer.end()) {
    auto settings = policy_.average_of(analyzer, test);
    std::optional<PatientAverage> average;
    if (settings) {
      average.emplace(std::move(*settings));
    }
    it = of_analyzer.emplace(test, std::move(average)).first;
  }
  return it->second ? &*it->second : nullptr;
}

records::AveragePointRow ControlBook::point_row(const PatientAverage& average,
                                                const AveragePoint& p) const {
  const auto& s = average.settings();
  return {s.test, to_string(s.method), p.value,        p.results,     s.target, s.low,
          s.high, p.outside,           p.is_excursion, s.acts_on_gate};
}

std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> ControlBook::excursions()
    const {
  std::shared_lock lock(mutex_);
  return excursions_;
}

std::vector<TestGate> ControlBook::gates(Clock::time_point at) const {
  std::vector<std::pair<std::string, std::string>> tests;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [analyzer, of_analyzer] : tests_) {
      for (const auto& [test, state] : of_analyzer) {
        tests.emplace_back(analyzer, test);
      }
    }
  }
  std::vector<TestGate> out;
  for (auto& [analyzer, test] : tests) {
    auto state = gate(analyzer, test, at);
    std::shared_lock lock(mutex_);
    const auto* t = find_test(analyzer, test);
    out.push_back({analyzer, test, std::move(state), t->last_judged_at,
                   t->last_rejected ? std::optional(t->rejected_at) : std::nullopt});
  }
  return out;
}

}  // namespace hemalink::qc
