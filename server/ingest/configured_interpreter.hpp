#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "server/config/daemon_config.hpp"
#include "server/ingest/receipt_interpreter.hpp"

namespace hemalink::ingest {

/// The interpreter of a configuration: every analyzer with its driver, the shipped mapping table
/// merged with the analyzer's mappings file, its character set and its record leniencies.
/// Fails with every error found (a mappings file that cannot be read or does not parse), each
/// naming the analyzer's JSON path.
std::variant<std::shared_ptr<ReceiptInterpreter>, std::vector<std::string>> configured_interpreter(
    const config::DaemonConfig& config, Decider decider = hold_everything);

}  // namespace hemalink::ingest
