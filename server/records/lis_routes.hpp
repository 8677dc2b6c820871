#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::records {

/// One LIS destination and the analyzers whose released results it takes (empty: all).
struct LisRoute {
  std::string destination;
  std::vector<std::string> analyzers;

  bool takes(std::string_view analyzer) const {
    return analyzers.empty() ||
           std::find(analyzers.begin(), analyzers.end(), analyzer) != analyzers.end();
  }
};

/// Where released results go: one outbox row per specimen and route that takes its analyzer. No
/// routes (no LIS configured): released results are stored and go nowhere.
using LisRoutes = std::vector<LisRoute>;

}  // namespace hemalink::records
