#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "drivers/model/decision.hpp"
#include "server/rules/rule_set.hpp"

namespace hemalink::rules {

/// An earlier result of the case's patient, `hours_ago` before the specimen.
struct PastResult {
  std::string code;
  double value = 0;
  double hours_ago = 0;
};

/// One case of a rules cases file: a specimen as an analyzer would send it, what hemalink already
/// knows (previous results of the patient, results of the same specimen from other analyzers),
/// and the decision expected for each result (and the value expected of calculated ones).
struct RuleCase {
  std::string name;
  model::ResultSet specimen;
  std::vector<PastResult> previous;
  std::map<std::string, double, std::less<>> same_specimen;
  /// What the QC gate says of each test (`qc_status`); a test not named is unknown.
  std::map<std::string, records::GateStatus, std::less<>> qc_status;
  std::map<std::string, model::Verdict> expect;
  std::map<std::string, std::string> expect_values;
};

/// Reads a cases file (`{"cases": [...]}`, see README "Rules"). Fails with every error, each
/// naming the file and the JSON path.
Result<std::vector<RuleCase>, files::FileErrors> read_rule_cases(std::string_view text,
                                                                 const std::string& file);

/// The history a case describes.
class CaseHistory final : public ResultHistory {
 public:
  explicit CaseHistory(const RuleCase& c) : case_(c) {}
  std::optional<double> previous(const model::ResultSet& specimen, std::string_view code,
                                 double within_seconds) const override;
  std::optional<double> same_specimen(const model::ResultSet& specimen,
                                      std::string_view code) const override;

 private:
  const RuleCase& case_;
};

/// The QC statuses a case gives.
class CaseQcStatuses final : public records::TestStatuses {
 public:
  explicit CaseQcStatuses(const RuleCase& c) : case_(c) {}
  records::GateStatus status(std::string_view test) const override;

 private:
  const RuleCase& case_;
};

/// What a rule set made of a case: the specimen after its rules (with calculated results and
/// comments), one decision per result, and every way it differs from what the case expects.
struct CaseOutcome {
  model::ResultSet specimen;
  std::vector<model::Decision> decisions;
  std::vector<std::string> mismatches;  ///< `PLT: expected hold, got release`
  bool passed() const { return mismatches.empty(); }
};

CaseOutcome run_case(const RuleSet& rules, const RuleCase& c);

/// Which rules the cases exercise: a rule is covered when some case makes it fire (positive) and
/// some case evaluates it without it firing (negative).
struct RuleCoverage {
  std::vector<std::string> never_fired;
  std::vector<std::string> never_passed_over;
};

RuleCoverage coverage(const RuleSet& rules, const std::vector<RuleCase>& cases);

}  // namespace hemalink::rules
