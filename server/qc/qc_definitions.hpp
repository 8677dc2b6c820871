#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::qc {

/// A control definition put through the API (`qc_definitions`).
struct QcDefinitionRow {
  std::string analyzer;
  std::string test;
  std::string material;
  std::string level;
  std::string lot;
  std::string sample;
  std::optional<double> mean;
  std::optional<double> sd;
  std::optional<int> establish_runs;
  std::string reason;
  std::string changed_by;  ///< user:NAME
  std::string changed_at;  ///< ISO 8601, as stored (empty until it is).
};

/// Every definition put through the API, oldest first.
Result<std::vector<QcDefinitionRow>, store::StoreError> qc_definitions(const std::string& dsn);

/// Puts a definition (a new one, or a change of the one for the same control), audited with
/// `changed_by` and `reason` in the same transaction. The row as stored.
Result<QcDefinitionRow, store::StoreError> put_qc_definition(const std::string& dsn,
                                                             const QcDefinitionRow& row);

}  // namespace hemalink::qc
