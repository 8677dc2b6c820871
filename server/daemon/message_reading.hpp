#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/api/rules_in_force.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/qc/control_book.hpp"
#include "server/rules/recent_results.hpp"
#include "server/rules/rule_set_versions.hpp"

namespace hemalink::daemon {

/// How the store's writers read every message: the analyzers' mapping tables and drivers, the
/// rules and the recent results they read, and quality control (the control book, which lives
/// across reloads). A reload builds a new reader and puts it in force whole, or keeps the old one.
///
/// The rules decided with are the live rule set version: the configuration's rule files are
/// stored as a version (live when none is yet, else a draft, logged at warn when it is not the
/// live one), and the live version's stored content decides.
struct MessageReading {
  /// Throws std::runtime_error with every error of the configuration's mapping tables, rules or
  /// control definitions: a start-up failure.
  explicit MessageReading(const DaemonConfig& config);

  /// Stores the rule files of `config` as a version (by `actor`), and puts its mapping tables,
  /// QC settings and the live rule set in force; the errors when it cannot (the running ones
  /// stay).
  api::RulesReload reload(const DaemonConfig& config, const std::string& actor);

  /// Puts the live rule set version in force (after a promotion), with the configuration last
  /// put in force.
  api::RulesReload follow_live();

  std::shared_ptr<rules::RuleSetVersions> versions;
  std::shared_ptr<rules::RecentResults> recent;
  std::shared_ptr<qc::ControlBook> quality_control;  ///< Lives across reloads.
  std::shared_ptr<ingest::CurrentMessageReader> reader;

 private:
  api::RulesReload put_in_force(const DaemonConfig& config, const std::string& actor,
                                bool stores_files);

  std::mutex reloading_;
  DaemonConfig in_force_;  ///< The configuration of the reader in force.
};

/// Writes a reload done to audit_log (action reload_rules, entity rule_set): the version in force
/// before and after, and the version the files were stored as.
Result<void, Error> audit_reload(const std::string& dsn, const std::string& actor,
                                 const api::RulesReload& done);

}  // namespace hemalink::daemon
