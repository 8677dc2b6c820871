#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink rules test --rules FILE [--rules FILE...] CASES.json`: runs every case through
/// the rule set, prints each case pass/FAIL with the decisions and the rules that fired, then which
/// rules no case made fire or pass over. Exit 0 when every case passes, 1 on any mismatch, 2 when
/// the rules or the cases cannot be read.
///
/// `hemalink rules explain --rules FILE... CASES.json [--case NAME]`: for one case (the only one,
/// or NAME), every rule evaluated on each result, what its condition read, and whether it fired.
///
/// And `hemalink rules yield` (rules_yield.hpp), `rules versions`, `rules diff` and `rules promote`
/// (rules_versions.hpp).
void add_rules_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
