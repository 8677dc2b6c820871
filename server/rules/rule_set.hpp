#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "drivers/model/decision.hpp"
#include "server/rules/rule_file.hpp"

namespace hemalink::rules {

/// A lab's rules, loaded from one or more files, compiled and indexed by test code. Immutable once
/// loaded and safe to share between threads; a reload builds a new one.
///
/// The decision for a result: rerun when a rerun rule fires (but a result that is itself a
/// rerun is held instead: it is not rerun again), else hold when a hold rule fires, else
/// release when a release rule fires, else hold: a result no rule releases is never released.
class RuleSet {
 public:
  /// Loads every file (in order) as one set. Fails with every error of every file; rule ids are
  /// unique across the set.
  static Result<std::shared_ptr<const RuleSet>, files::FileErrors> load(
      const std::vector<RuleSource>& sources);

  /// Names the set in every decision: the files' own versions, if they give them, and a digest
  /// of the files' names and contents (`cbc-2026.11+coag-3#1f2e3d4c5b6a`).
  const std::string& version() const { return version_; }
  const std::vector<Rule>& rules() const { return rules_; }
  /// The files' reference intervals, no two of which apply to one result.
  const ReferenceIntervals& reference_intervals() const { return intervals_; }
  /// The interval `reference_low` and `reference_high` read for `result` of `specimen`: its
  /// test and units, the patient's sex and age; nullptr when none applies.
  const ReferenceInterval* reference_interval(const model::Observation& result,
                                              const model::ResultSet& specimen) const;

  /// What the rules read of `specimen`, gathered into `facts` for every result's evaluate().
  void gather(const model::ResultSet& specimen, SpecimenFacts& facts) const;

  /// The verdict for one result; the indexes (into rules()) of the rules that fired are put in
  /// `fired`, which is cleared first. Does not allocate once `fired` has grown to the set's size.
  /// Faster with the specimen's facts gathered in `input` (they must be this set's).
  model::Verdict evaluate(const EvaluationInput& input, std::vector<std::uint32_t>& fired) const;

  /// Decides every result of a specimen: adds the results compute rules calculate (a measured
  /// result of the same code wins), appends comment rules' comments, and returns one decision
  /// per observation, in order, naming every rule that fired and this set's version. `qc`
  /// says what the QC gate says of each test (`qc_status`; unknown for every test without it).
  std::vector<model::Decision> decide(model::ResultSet& specimen, const ResultHistory* history,
                                      const records::TestStatuses* qc = nullptr) const;

  /// True when a rule deciding results of `code` reads the patient's earlier results: only those
  /// codes' history is read before a batch is decided.
  bool reads_previous(std::string_view code) const;

  /// One rule looked at for a result, for `rules explain`.
  struct Trace {
    const Rule* rule;
    Truth truth;
    std::vector<std::pair<std::string, std::string>> inputs;  ///< What the condition read.
  };
  /// Every rule that applies to the result's code, in order, with its truth and its inputs
  /// (the result's reference interval looked up here when the caller gave none).
  std::vector<Trace> explain(const EvaluationInput& input) const;

 private:
  /// Code -> the joined conditions of its decision rules; open addressing with a power-of-two
  /// table: the lookup every result makes hashes a few bytes and compares one code, no division,
  /// no allocation.
  class CodeIndex {
   public:
    void build(const std::vector<std::pair<std::string, std::uint32_t>>& entries);
    /// The entry's value, or `otherwise` for a code not in the index.
    std::uint32_t find(std::string_view code, std::uint32_t otherwise) const;

   private:
    struct Slot {
      std::uint64_t hash = 0;
      std::string code;
      std::uint32_t value = 0;
    };
    std::vector<Slot> slots_;
    std::uint64_t mask_ = 0;
  };

  void index();
  void calculate(model::ResultSet& specimen, const ResultHistory* history,
                 const records::TestStatuses* qc, std::vector<std::uint32_t>& computed_by) const;
  model::Decision decision(model::Verdict verdict, const std::vector<std::uint32_t>& fired,
                           std::uint32_t computed_by) const;

  std::vector<Rule> rules_;
  std::string version_;
  std::string decided_by_;  ///< "rules:" and the version, as each decision names its maker.
  std::vector<std::uint32_t> calculations_;  ///< compute rules, in order.
  /// Per code named in any rule, and first for every other code (the ["*"] rules): the
  /// conditions of the decision rules that apply, in file order, joined into one program.
  std::vector<CompiledExpression> conditions_;
  CodeIndex by_code_;                  ///< Code -> index into conditions_.
  std::vector<bool> reads_previous_;   ///< Per conditions_ entry.
  std::vector<bool> reads_reference_;  ///< Per conditions_ entry: only then is it looked up.
  ReferenceIntervals intervals_;
  bool reads_qc_status_ = false;  ///< Only then is the QC gate asked, result by result.
  FactNames facts_;
};

}  // namespace hemalink::rules
