#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/astm/e1381_link.hpp"

namespace hemalink::metrics {

/// What each analyzer's ASTM links noticed, over all its connections: every LinkNotice (the
/// leniencies that let through what the standard refuses, duplicate frames, frames sent again,
/// ...) and every link error (a frame NAKed, text outside a message). For the logs and the
/// metrics. Thread-safe.
class LinkTally {
 public:
  void add(std::string_view analyzer, astm::LinkNotice notice);
  void add_link_error(std::string_view analyzer);
  std::map<std::string, std::uint64_t> link_errors() const;
  std::uint64_t count(std::string_view analyzer, astm::LinkNotice leniency) const;
  /// Every count, by analyzer and leniency.
  std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> counts() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> counts_;
  std::map<std::string, std::uint64_t, std::less<>> link_errors_;
};

}  // namespace hemalink::metrics
