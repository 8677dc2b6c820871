#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "drivers/model/result_set.hpp"
#include "server/qc/control_definitions.hpp"
#include "server/qc/control_history.hpp"
#include "server/qc/patient_average.hpp"
#include "server/qc/qc_policy.hpp"
#include "server/qc/westgard.hpp"
#include "server/records/control_judgement.hpp"
#include "server/records/gate_status.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::qc {

using Clock = std::chrono::system_clock;

/// What the gate says of one test on one analyzer at one moment.
struct GateState {
  records::GateStatus status = records::GateStatus::Unknown;
  /// The test is under QC: a control of it has a target (defined or established). Only then
  /// does the gate hold its patient results; until then its status is unknown and nothing is
  /// held for it.
  bool is_under_qc = false;
  std::string reason;  ///< Why it is out or unknown, as a held result's reason says it.
};

/// A test's gate as the API lists it.
struct TestGate {
  std::string analyzer;
  std::string test;
  GateState state;
  std::optional<Clock::time_point> last_run_at;  ///< The last judged control.
  std::optional<Clock::time_point> rejected_at;  ///< When it went out, while it is out.
};

/// The gates of one analyzer's tests frozen at one moment: what the rules' `qc_status` and the
/// gate's holds read for one message. A test without a control is not under QC.
class GateSnapshot final : public records::TestStatuses {
 public:
  records::GateStatus status(std::string_view test) const override { return gate(test).status; }
  const GateState& gate(std::string_view test) const;

  std::map<std::string, GateState, std::less<>> tests;
};

/// What quality control made of one message of a batch.
struct MessageQc {
  std::vector<records::ControlJudgement> judgements;
  std::vector<records::AveragePointRow> average_points;
  GateSnapshot gates;  ///< Of its analyzer, once the message was judged, at its arrival.
};

/// What quality control made of a batch: one per message, in order. `unreadable` set: the stored
/// judgements could not be read, nothing was judged, and the gate is not to be trusted.
struct BatchQc {
  std::optional<std::string> unreadable;
  std::vector<MessageQc> messages;
};

/// The quality control of every analyzer: its controls (defined, or establishing a target from
/// their first runs), the runs of each test, and the gate each test's runs set. Control results
/// are judged by the Westgard rules as they are read, before the patient results of the same
/// batch are decided. Safe to use from several threads.
class ControlBook {
 public:
  ControlBook(ControlDefinitions definitions, QcPolicy policy);

  /// Puts new definitions and a new policy in force (a reload): targets defined now replace
  /// the ones in force; established targets, runs and gates stay.
  void redefine(ControlDefinitions definitions, QcPolicy policy);

  /// A definition put through the API: in force now, and over the file's for its control at
  /// every reload.
  void override_definition(ControlDefinition definition);

  /// Every control defined: the file's, and those put through the API (`is_put` true), which
  /// win for their control.
  struct DefinedControl {
    ControlDefinition definition;
    bool is_put = false;
  };
  std::vector<DefinedControl> definitions() const;

  /// Where the stored judgements come from (the database): read by restore_if_needed() until a
  /// read succeeds. Without one, there is nothing to restore.
  using HistoryRead = std::function<Result<QcHistory, Error>()>;
  void set_history(HistoryRead read);
  /// Restores the stored judgements if that has not been done yet; the read's error when they
  /// cannot be read, and the gate is then not to be trusted.
  Result<void, Error> restore_if_needed();

  /// Replays judgements stored before (oldest first), as they were made: targets, runs and
  /// gates come back as they were, and none of them is judged again.
  /// The patient-based averages resume from their latest points; an excursion that acts on the
  /// gate and no accepted run has cleared holds again.
  void restore(const QcHistory& history);

  /// One consult for a batch of messages (their receipts and translated contents, in order):
  /// restores the stored judgements when that has not been done, then, under one lock, for each
  /// message judges its control results (judge()) and adds its patient results to the averages
  /// (average()) when it was accepted, and freezes its analyzer's gates at its arrival; a message's
  /// judgements set the gates the messages after it meet.
  BatchQc consult(std::span<const records::Receipt* const> receipts,
                  std::span<const records::MessageContent> contents);

  /// Judges the numeric results of a QC result set (`set` of `receipt`'s message): each with its
  /// run, against the test's earlier runs; the gate follows each run's verdict. A measurement
  /// judged before (a retransmission, a replay from the spool) gets its earlier judgement again
  /// and changes nothing. Nothing for a set that is not QC.
  std::vector<records::ControlJudgement> judge(const records::Receipt& receipt,
                                               const model::ResultSet& set, std::size_t set_index);

  /// Adds the numeric final results of a message's patient result sets to the averages of their
  /// tests on `receipt`'s analyzer: the points completed, each judged against its limits. An
  /// excursion of an average that acts on the gate puts the test out until an accepted control
  /// run. A measurement already averaged (the message replayed from the spool, or sent again by
  /// the analyzer) adds nothing; a rerun of the specimen, measured again, counts.
  std::vector<records::AveragePointRow> average(const records::Receipt& receipt,
                                                const std::vector<model::ResultSet>& sets);

  /// Excursions of the averages since start-up, by analyzer, test and method.
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> excursions() const;

  /// The gate of `test` on `analyzer` at `at`.
  GateState gate(std::string_view analyzer, std::string_view test, Clock::time_point at) const;

  /// Every test with a control (judged, establishing or defined), by analyzer and test.
  std::vector<TestGate> gates(Clock::time_point at) const;

 private:
  struct Control {
    std::optional<ControlTarget> target;
    std::size_t establish_runs = 0;
    std::vector<double> establishing;
    std::map<std::string, records::ControlJudgement, std::less<>> judged;  ///< By measurement.
    std::vector<std::string> judged_order;                                 ///< Oldest first.
  };
  struct Run {
    std::string id;
    Clock::time_point started_at{};
    ControlRun values;
    std::set<std::string> levels;  ///< Material and level of each control in it.
  };
  struct Test {
    RuleSelection rules;
    bool has_defined_target = false;
    std::vector<ControlRun> earlier;  ///< Oldest first, as many as the longest rule reads.
    std::optional<Run> open;
    std::optional<Clock::time_point> last_judged_at;
    bool last_rejected = false;
    Clock::time_point rejected_at{};
    std::string rejected_by;  ///< The violations that rejected it, in words.
    /// The levels of the rejected runs: an accepted run that measured them all puts it back in.
    std::set<std::string> rejected_levels;
    bool has_target = false;
    struct AverageBlock {
      Clock::time_point at;
      std::string reason;
    };
    /// A patient-based average's excursion that acts on the gate, until an accepted run.
    std::optional<AverageBlock> average_block;
  };
  using ControlMap = std::map<ControlKey, Control>;

  std::vector<records::ControlJudgement> judge_locked(const records::Receipt& receipt,
                                                      const model::ResultSet& set,
                                                      std::size_t set_index);
  std::vector<records::AveragePointRow> average_locked(const records::Receipt& receipt,
                                                       const std::vector<model::ResultSet>& sets);
  GateState gate_locked(std::string_view analyzer, std::string_view test,
                        Clock::time_point at) const;
  GateSnapshot snapshot_locked(std::string_view analyzer, Clock::time_point at) const;
  Control& control_of(const ControlKey& key);
  Test& test_of(const std::string& analyzer, const std::string& test);
  const Test* find_test(std::string_view analyzer, std::string_view test) const;
  records::ControlJudgement judge_value(const ControlKey& key, Control& control, Test& test,
                                        double value, Clock::time_point at);
  void establish(Control& control, records::ControlJudgement& j);
  Run& run_for(Test& test, const ControlKey& key, Clock::time_point at);
  static void settle(Test& test, const Run& run, bool is_rejected,
                     const std::vector<records::ControlJudgement::Violation>& violations,
                     Clock::time_point at);
  static void close_run(Test& test);
  void remember(Control& control, const records::ControlJudgement& j);
  void replay(const records::StoredJudgement& stored);
  void resume(const records::StoredAveragePoint& stored);
  PatientAverage* average_of(const std::string& analyzer, const std::string& test);
  bool is_averaged(const records::Receipt& receipt, const model::ResultSet& set);
  void add_to_averages(const records::Receipt& receipt, const model::Observation& o,
                       std::vector<records::AveragePointRow>& out);
  records::AveragePointRow point_row(const PatientAverage& average, const AveragePoint& p) const;

  void define(const ControlDefinition& d);
  void keep_override(ControlDefinition definition);

  ControlDefinitions definitions_;
  std::vector<ControlDefinition> overrides_;  ///< Put through the API.
  QcPolicy policy_;
  mutable std::shared_mutex mutex_;
  std::mutex restore_mutex_;
  HistoryRead history_read_;
  std::atomic<bool> is_restored_{true};
  ControlMap controls_;
  std::map<std::string, std::map<std::string, Test, std::less<>>, std::less<>> tests_;
  /// analyzer -> test -> its average; nullopt when the test has none.
  std::map<std::string, std::map<std::string, std::optional<PatientAverage>, std::less<>>,
           std::less<>>
      averages_;
  std::set<std::string, std::less<>> averaged_measurements_;
  std::deque<std::string> averaged_order_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> excursions_;
};

/// The name a control's values have in a run and in the rules' details: "level 2 lot 4411".
std::string run_label(const ControlKey& key);

}  // namespace hemalink::qc
