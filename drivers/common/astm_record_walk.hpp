#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/common/astm_fields.hpp"
#include "drivers/driver.hpp"

namespace hemalink::drivers {

/// Where a walk over one LIS02-A2 message stands: the analyzer of its H record, the patient of
/// the last P record, comments that came before any order (the patient's), the result set the
/// last O record opened, and the last result (what a C record after it comments on).
struct AstmWalk {
  const AstmFields& fields;
  Translation& out;
  model::Analyzer analyzer;
  std::optional<model::Patient> patient;
  std::vector<std::string> patient_comments;
  model::ResultSet* current = nullptr;
  model::Observation* last = nullptr;
};

/// What an ASTM driver does with each kind of record; walk_records() does the rest, the same
/// for every driver. Each hook may refuse the message with a ParseError naming the record.
class AstmRecordHooks {
 public:
  virtual ~AstmRecordHooks() = default;
  /// P (LIS02-A2 8): the patient; where the ID is differs by analyzer.
  virtual model::Patient patient(const AstmFields& fields,
                                 const astm::Lis2Record& record) const = 0;
  /// O (LIS02-A2 9): the result set the order's results go to, in `walk.out.result_sets` (a new
  /// one, or one an earlier O record of the same specimen opened), its fields read.
  virtual Result<model::ResultSet*> order(AstmWalk& walk, const astm::Lis2Record& record) const = 0;
  /// R (LIS02-A2 10), after an order: reads the record into `set`; returns the result added, or
  /// nullptr when the record held something else (a flag, a file reference).
  virtual Result<model::Observation*> result(AstmWalk& walk, const astm::Lis2Record& record,
                                             model::ResultSet& set) const = 0;
  /// C (LIS02-A2 11): by default C-4 goes to the result it follows, else to the order, else
  /// (before any order) to the patient, whose comments the next order takes.
  virtual void comment(AstmWalk& walk, const astm::Lis2Record& record) const;
  /// Any other record (M, S, Q): ignored by default.
  virtual void other(AstmWalk& walk, const astm::Lis2Record& record) const;
};

/// Walks the records of `message` in order, calling `hooks` for each: H sets the analyzer
/// (`driver` names it), P the patient, O opens a result set (given the analyzer, the patient and
/// the patient's comments so far), R adds to the open set (an R before any O is an error), C and
/// the rest go to their hooks. The first error a hook returns stops the walk.
Result<Translation> walk_records(const astm::Lis2Message& message, Charset charset,
                                 std::string_view driver, const AstmRecordHooks& hooks);

}  // namespace hemalink::drivers
