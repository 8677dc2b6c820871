#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink rules backtest --candidate FILE... [--from T] [--to T] [--analyzer NAME]...
/// [--config FILE] [--format text|json] --db URL`: the archive's patient specimens replayed, oldest
/// first, through the candidate rule set with the context as it was (validation::run_backtest),
/// recorded in the database with its report (the ID a promotion names). Exit 0 with no false
/// negative, 1 with some, 2 when it cannot run.
void add_rules_backtest_command(CLI::App& rules, CommandActions& actions);

}  // namespace hemalink::cli
