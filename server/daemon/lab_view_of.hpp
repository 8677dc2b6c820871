#pragma once

#include <vector>

#include "server/api/lab_view.hpp"
#include "server/daemon/daemon_config.hpp"

namespace hemalink::daemon {

/// The configured analyzers as the API lists them (name, driver, protocol, transport, address).
std::vector<api::AnalyzerEntry> analyzer_entries(const DaemonConfig& config);

}  // namespace hemalink::daemon
