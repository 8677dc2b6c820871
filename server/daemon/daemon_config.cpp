#include "server/daemon/daemon_config.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::daemon {
namespace {

using files::JsonFields;
using files::read_text_file;
using nlohmann::json;

// The daemon's own keys.
void read_own_keys(JsonFields& top, DaemonConfig& c, const std::filesystem::path& base) {
  if (const json* db = top.object("database", true)) {
    JsonFields f(*db, "database", top.errors());
    f.text("url", c.database_url);
    f.boolean("migrate_at_start", c.migrate_at_start);
  }
  config::read_http_config(top, c.http, base);
  std::string spool;
  top.text("spool_dir", spool);
  if (!spool.empty())
    c.spool_dir = spool;
  c.spool_dir = files::path_from(base, c.spool_dir.string());
  if (const json* logging = top.object("logging")) {
    JsonFields f(*logging, "logging", top.errors());
    static constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
    if (auto level = f.choice("level", {"trace", "debug", "info", "warn", "error"})) {
      c.log_level = kLevels[*level];
    }
    if (auto format = f.choice("format", {"text", "json"})) {
      c.log_json = *format == 1;
    }
  }
  top.integer("threads", c.threads, 0, 256);
  top.integer("max_connections", c.max_connections, 1, 100000);
  top.duration("shutdown_grace_ms", c.shutdown_grace, 0, 60000);
}

}  // namespace

Result<DaemonConfig, files::FileErrors> parse_daemon_config(
    std::string_view json_text, const std::filesystem::path& base_dir,
    const std::optional<std::string>& database_url_override) {
  auto parsed = files::parse_json(json_text, "");
  if (!parsed) {
    return files::FileErrors{parsed.error()};
  }
  const json& document = *parsed;
  files::FileErrors errors;
  DaemonConfig c;
  {
    JsonFields top(document, "", errors);
    read_own_keys(top, c, base_dir);
    orders::read_orders_config(top, c.orders);
    qc::read_qc_config(top, c.qc, base_dir);
    review::read_review_config(top, c.review);
    rules::read_rules_config(top, c.rules, base_dir);
    store::read_store_config(top, c.store);
    c.analyzers = config::read_analyzers(top, base_dir);
    c.lis = lis::read_lis_config(top, base_dir, c.analyzers);
  }
  config::check_analyzers_unique(c.analyzers, errors);
  if (database_url_override && !database_url_override->empty()) {
    c.database_url = *database_url_override;
  } else if (c.database_url.empty() && document.is_object() && document.contains("database")) {
    errors.push_back({"", std::nullopt, "database.url",
                      "required (or set HEMALINK_DATABASE_URL in the environment)",
                      files::Errc::Missing});
  }
  if (!errors.empty()) {
    return errors;
  }
  return c;
}

bool takes_orders(const DaemonConfig& config) {
  return lis::takes_orders(config.lis);
}

std::optional<std::string> database_url_from_environment() {
  const char* url = std::getenv("HEMALINK_DATABASE_URL");
  if (url == nullptr || *url == '\0')
    return std::nullopt;
  return std::string(url);
}

Result<DaemonConfig, files::FileErrors> read_daemon_config_file(const std::filesystem::path& file) {
  const auto text = read_text_file(file);
  if (!text) {
    return files::FileErrors{
        {file.string(), std::nullopt, "", "cannot read the file", files::Errc::Unreadable}};
  }
  auto parsed = parse_daemon_config(*text, file.parent_path(), database_url_from_environment());
  if (!parsed) {
    return files::in_file(parsed.error(), file.string());
  }
  return parsed;
}

}  // namespace hemalink::daemon
