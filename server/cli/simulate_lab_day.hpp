#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink simulate --lab-day N --config FILE ...`: the lab's analyzers that the configuration
/// names play a generated laboratory day on their ports, each on its own connection and all at
/// once; the truth of every tube sent goes to --truth. Exit 0 when every message was answered.
int run_simulate_lab_day(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace hemalink::cli
