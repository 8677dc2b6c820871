#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/astm/e1381_link.hpp"

namespace hemalink::session {

/// How often each analyzer's links let something through that the standard refuses (a bad or
/// lower-case checksum, a checksum that matched only with LF read as CR, ...), each leniency
/// counted per analyzer over all its connections: for the logs and the metrics. Thread-safe.
class LeniencyTally {
 public:
  void add(std::string_view analyzer, astm::LinkNotice leniency);
  std::uint64_t count(std::string_view analyzer, astm::LinkNotice leniency) const;
  /// Every count, by analyzer and leniency.
  std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> counts() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> counts_;
};

}  // namespace hemalink::session
