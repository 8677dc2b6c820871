#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/config/analyzer_config.hpp"
#include "server/config/http_config.hpp"
#include "server/files/file_error.hpp"
#include "server/lis/lis_config.hpp"
#include "server/orders/orders_config.hpp"
#include "server/qc/qc_config.hpp"
#include "server/review/review_config.hpp"
#include "server/rules/rules_config.hpp"
#include "server/store/store_config.hpp"

namespace hemalink::daemon {

/// The daemon's configuration: its own keys (database, spool, logging, threads, limits) and the
/// section of each component, read by the component's reader (config::read_analyzers,
/// config::read_http_config, lis::read_lis_config, orders::read_orders_config,
/// qc::read_qc_config, review::read_review_config, rules::read_rules_config,
/// store::read_store_config).
struct DaemonConfig {
  std::string database_url;
  bool migrate_at_start = true;
  config::HttpConfig http;
  std::filesystem::path spool_dir = "var/spool";
  std::string log_level = "info";
  bool log_json = false;
  unsigned threads = 0;  ///< 0: one per core.
  std::size_t max_connections = 512;
  /// On SIGTERM, how long connections get to receive the acknowledgements of messages already
  /// handed to the store before they are closed.
  std::chrono::milliseconds shutdown_grace{5000};
  store::StoreConfig store;
  std::vector<lis::LisDestination> lis;
  orders::OrdersConfig orders;
  rules::RulesConfig rules;
  qc::QcConfig qc;
  review::ReviewConfig review;
  std::vector<config::AnalyzerConfig> analyzers;
};

/// True when a LIS sends orders: results are then matched to them.
bool takes_orders(const DaemonConfig& config);

/// Reads the daemon's configuration from `json_text`. Fails with every error found, each with
/// its JSON path (or its line and column, when the text is not JSON) and no file. Relative paths
/// are taken relative to `base_dir` (the configuration file's folder). When `database_url_override`
/// is set (HEMALINK_DATABASE_URL), it replaces `database.url`.
Result<DaemonConfig, files::FileErrors> parse_daemon_config(
    std::string_view json_text, const std::filesystem::path& base_dir,
    const std::optional<std::string>& database_url_override);

/// The configuration in `file`, as parse_daemon_config reads it, with relative paths taken from
/// the file's folder and HEMALINK_DATABASE_URL applied; its errors name the file. An unreadable
/// file is one error.
Result<DaemonConfig, files::FileErrors> read_daemon_config_file(const std::filesystem::path& file);

/// HEMALINK_DATABASE_URL, which replaces the configured database.url when set.
std::optional<std::string> database_url_from_environment();

}  // namespace hemalink::daemon
