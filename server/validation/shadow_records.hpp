#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::validation {

/// What the rule set in shadow has decided so far beside the live set, compared as a backtest
/// compares: with the live decisions made then and with what people did since. Errors carry a
/// store::StoreErrc.
class ShadowRecords {
 public:
  virtual ~ShadowRecords() = default;
  /// The comparison of `version`'s shadow decisions (none: the version in shadow now) as JSON:
  /// version, since, specimens, results, agreement {live, people} (as a backtest report's),
  /// false_negatives (results it released that a person did not release unchanged), and the
  /// latest `limit` disagreements with the live set, newest first. version null and results 0
  /// when there is nothing to compare.
  virtual Result<std::string, Error> comparison(const std::optional<std::string>& version,
                                                std::size_t limit) const = 0;
};

}  // namespace hemalink::validation
