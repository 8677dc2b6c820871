#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink migrate [--db DSN]`: applies the missing schema migrations. The DSN defaults to
/// $HEMALINK_DATABASE_URL. Exit status 0 when the schema is current, 2 without a database to
/// migrate, 1 when the database refuses or cannot be reached.
void add_migrate_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
