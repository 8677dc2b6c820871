#include "server/cli/migrate_command.hpp"

#include <CLI/CLI.hpp>
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
  add_command<std::string>(
      hemalink, actions, "migrate", "apply the missing schema migrations",
      [](CLI::App& app, std::string& dsn) { add_database_option(app, dsn); }, migrate);
}

}  // namespace hemalink::cli
