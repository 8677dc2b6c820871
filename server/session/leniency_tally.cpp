#include "server/session/leniency_tally.hpp"

namespace hemalink::session {

void LeniencyTally::add(std::string_view analyzer, astm::LinkNotice leniency) {
  std::lock_guard lock(mutex_);
  ++counts_[{std::string(analyzer), leniency}];
}

std::uint64_t LeniencyTally::count(std::string_view analyzer, astm::LinkNotice leniency) const {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find({std::string(analyzer), leniency});
  return it == counts_.end() ? 0 : it->second;
}

std::map<std::pair<std::string, astm::LinkNotice>, std::uint64_t> LeniencyTally::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace hemalink::session
