#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink serve --config FILE`: validates the configuration, applies the missing migrations
/// when database.migrate_at_start (waiting up to 60 s for the database to answer), and runs the
/// daemon until SIGTERM or SIGINT. Exits 0 after a clean stop, 2 for a bad configuration, 1 when
/// start-up fails.
void add_serve_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
