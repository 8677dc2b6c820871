#include "server/metrics/link_tally.hpp"

namespace hemalink::metrics {

void LinkTally::add(std::string_view analyzer, astm::LinkNotice notice) {
  std::lock_guard lock(mutex_);
  ++counts_[{std::string(analyzer), notice}];
}

void LinkTally::add_link_error(std::string_view analyzer) {
  std::lock_guard lock(mutex_);
  auto it = link_errors_.find(analyzer);
  if (it == link_errors_.end())
    it = link_errors_.emplace(std::string(analyzer), 0).first;
  ++it->second;
}

std::map<std::string, std::uint64_t> LinkTally::link_errors() const {
  std::lock_guard lock(mutex_);
  return {link_errors_.begin(), link_errors_.end()};
}

std::uint64_t LinkTally::count(std::string_view analyzer, astm::LinkNotice leniency) const {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find({std::string(analyzer), leniency});
  return it == counts_.end() ? 0 : it->second;
}

std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> LinkTally::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace hemalink::metrics
