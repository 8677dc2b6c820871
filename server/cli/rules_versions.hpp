#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds to `hemalink rules`, each on the database of `--db` or HEMALINK_DATABASE_URL:
/// - `versions`: the stored rule set versions with their status;
/// - `diff A B [--format text|json]`: rules added, removed and changed, A and B each a rules file
///   (loaded as `--rules` loads it) or a stored version's id or version string;
/// - `promote VERSION --backtest ID [--comment TEXT] [--to live|shadow|draft|retired]`: a status
///   change, audited as cli:$USER. Exit 2 when refused (the reason on stderr), 1 when the
///   database fails.
void add_rules_versions_commands(CLI::App& rules, CommandActions& actions);

}  // namespace hemalink::cli
