#include "server/cli/migrate_command.hpp"

#include <cstdlib>
#include <optional>
#include <ostream>

#include "server/config/daemon_config.hpp"
#include "server/store/migrations.hpp"

namespace hemalink::cli {

int run_migrate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::optional<std::string> dsn;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--db" && i + 1 < args.size()) {
      dsn = args[++i];
    } else {
      err << "hemalink migrate: unexpected argument \"" << args[i] << "\"\n"
          << "usage: hemalink migrate [--db DSN]   (default: $HEMALINK_DATABASE_URL)\n";
      return 2;
    }
  }
  if (!dsn) {
    if (auto env = config::database_url_from_environment()) {
      dsn = std::move(env);
    } else {
      err << "hemalink migrate: no database: give --db DSN or set HEMALINK_DATABASE_URL\n";
      return 2;
    }
  }
  auto report = store::migrate(*dsn, store::shipped_migrations());
  if (!report) {
    err << "hemalink migrate: " << report.error().detail << "\n";
    return 1;
  }
  for (const auto& name : report->applied) {
    out << "applied " << name << "\n";
  }
  out << "schema at version " << report->version
      << (report->applied.empty() ? " (already current)\n" : "\n");
  return 0;
}

}  // namespace hemalink::cli
