#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "server/config/daemon_config.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/rules/recent_results.hpp"

namespace hemalink::ingest {

/// The reader of a configuration: every analyzer with its driver, the shipped mapping table
/// merged with the analyzer's mappings file, its character set and its record leniencies, and
/// the rule set of `rules.files` deciding with previous results from `recent` (without rule
/// files, every result is held). Fails with every error found (a mappings file that cannot be
/// read or does not parse, a rules file with errors), each naming where it is.
std::variant<std::shared_ptr<MessageReader>, std::vector<std::string>> configured_message_reader(
    const config::DaemonConfig& config, std::shared_ptr<rules::RecentResults> recent = nullptr);

}  // namespace hemalink::ingest
