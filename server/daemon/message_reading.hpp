#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/daemon/daemon_config.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/qc/control_book.hpp"
#include "server/rules/recent_results.hpp"

namespace hemalink::daemon {

/// How the store's writers read every message: the analyzers' mapping tables and drivers, the
/// rules and the recent results they read, and quality control (the control book, which lives
/// across reloads). A reload builds a new reader and puts it in force whole, or keeps the old one.
struct MessageReading {
  /// Throws std::runtime_error with every error of the configuration's mapping tables, rules or
  /// control definitions: a start-up failure.
  explicit MessageReading(const DaemonConfig& config);

  /// Puts the mapping tables, rules and QC settings of `config` in force; the errors when it
  /// cannot (the running ones stay).
  std::vector<std::string> reload(const DaemonConfig& config);

  std::shared_ptr<rules::RecentResults> recent;
  std::shared_ptr<qc::ControlBook> quality_control;  ///< Lives across reloads.
  std::shared_ptr<ingest::CurrentMessageReader> reader;
};

}  // namespace hemalink::daemon
