#include "server/cli/serve_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <thread>

#include "server/cli/shared_options.hpp"
#include "server/daemon/daemon.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/daemon/logging.hpp"
#include "server/files/file_error.hpp"
#include "server/store/errc.hpp"
#include "server/store/migrations.hpp"

namespace hemalink::cli {
namespace {

constexpr auto kMigrationPatience = std::chrono::seconds(60);

// The database may still be starting (a container, a boot): wait for it, not for a broken one.
bool migrate_at_start(const std::string& dsn) {
  const auto deadline = std::chrono::steady_clock::now() + kMigrationPatience;
  for (;;) {
    auto report = store::migrate(dsn, store::shipped_migrations());
    if (report) {
      spdlog::info("schema at version {}{}", report->version,
                   report->applied.empty() ? " (current)"
                                           : fmt::format(" ({} applied)", report->applied.size()));
      return true;
    }
    const bool is_retryable = report.error().code == store::StoreErrc::Retryable;
    if (!is_retryable || std::chrono::steady_clock::now() >= deadline) {
      spdlog::error("migration failed: {}", report.error().detail);
      return false;
    }
    spdlog::warn("database not reachable yet ({}); trying again", report.error().detail);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

int serve(const std::filesystem::path& file, std::ostream& /*out*/, std::ostream& err) {
  auto parsed = daemon::read_daemon_config_file(file);
  if (!parsed) {
    fmt::print(err, "{}\n", files::describe(parsed.error(), "\n"));
    return 2;
  }
  auto config = std::move(*parsed);
  daemon::configure_logging(config.log_level, config.log_json);
  if (config.migrate_at_start && !migrate_at_start(config.database_url)) {
    return 1;
  }
  try {
    daemon::Daemon d(std::move(config), {true, file});
    return d.run();
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return 1;
  }
}

void declare_options(CLI::App& app, std::filesystem::path& file) {
  app.add_option("--config", file, "the daemon configuration (JSON; check-config checks it)")
      ->type_name("FILE")
      ->required();
}

}  // namespace

void add_serve_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<std::filesystem::path>(
      hemalink, actions, "serve",
      "run the daemon: every configured analyzer's transport, the store and the rules, until "
      "SIGTERM or SIGINT (SIGHUP reloads mappings and rules)",
      declare_options, serve);
}

}  // namespace hemalink::cli
