#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink serve --config FILE`: validates the configuration, applies the missing migrations
/// when database.migrate_at_start (waiting up to 60 s for the database to answer), and runs the
/// daemon until SIGTERM or SIGINT. Exits 0 after a clean stop, 2 for a bad configuration, 1 when
/// start-up fails.
int run_serve(const std::vector<std::string>& args, std::ostream& err);

}  // namespace hemalink::cli
