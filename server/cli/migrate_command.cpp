#include "server/cli/migrate_command.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "server/cli/shared_options.hpp"
#include "server/store/migrations.hpp"

namespace hemalink::cli {
namespace {

int migrate(const std::string& dsn, std::ostream& out, std::ostream& err) {
  auto report = store::migrate(dsn, store::shipped_migrations());
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

}  // namespace

void add_migrate_command(CLI::App& hemalink, CommandActions& actions) {
  auto* app = hemalink.add_subcommand("migrate", "apply the missing schema migrations");
  auto dsn = std::make_shared<std::string>();
  add_database_option(*app, *dsn);
  actions[app] = [dsn](std::ostream& out, std::ostream& err) { return migrate(*dsn, out, err); };
}

}  // namespace hemalink::cli
