#include "server/qc/qc_policy.hpp"

namespace hemalink::qc {

std::optional<AverageSettings> QcPolicy::average_of(std::string_view analyzer,
                                                    std::string_view test) const {
  for (const auto& a : averages) {
    if (a.analyzer == analyzer && a.test == test) {
      return a;
    }
  }
  const auto target = xbarm.targets.find(test);
  if (!xbarm.is_enabled || target == xbarm.targets.end()) {
    return std::nullopt;
  }
  AverageSettings s;
  s.analyzer = std::string(analyzer);
  s.test = std::string(test);
  s.method = AverageMethod::XbarM;
  s.block = xbarm.batch;
  s.target = target->second;
  s.low = target->second * (1 - xbarm.limit_pct / 100);
  s.high = target->second * (1 + xbarm.limit_pct / 100);
  s.confirm = xbarm.confirm_batches;
  s.acts_on_gate = xbarm.acts_on_gate;
  return s;
}

}  // namespace hemalink::qc
