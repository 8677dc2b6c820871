#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::records {

/// Per LIS destination with any: the distinct codes not known and the open tests on them.
struct UnmappedOrderCodes {
  std::string destination;
  long long codes = 0;
  long long tests = 0;
};

/// What the API reads of the orders from the LIS. Callable from any thread; errors carry a
/// store::StoreErrc.
class OrderRecords {
 public:
  virtual ~OrderRecords() = default;

  /// The orders (newest first) as a JSON array with their tests: on `specimen` when given; only
  /// those with tests still pending `overdue_after` after they came, when `only_overdue`. Each
  /// says whether it is overdue.
  virtual Result<std::string, Error> orders(const std::optional<std::string>& specimen,
                                            bool only_overdue, std::chrono::minutes overdue_after,
                                            std::size_t limit) const = 0;

  /// The LIS codes the mapping tables did not know, with tests still open on them, as a JSON
  /// array: [{destination, lis_code, lis_text, lis_coding_system, open_tests, specimens,
  /// first_ordered_at, last_ordered_at, latest_specimen_id}], the most recently ordered first. It
  /// empties as the tables learn the codes (`remap_unmapped_tests` at start-up).
  virtual Result<std::string, Error> unmapped_codes() const = 0;

  /// The same, counted per destination.
  virtual Result<std::vector<UnmappedOrderCodes>, Error> unmapped_counts() const = 0;
};

}  // namespace hemalink::records
