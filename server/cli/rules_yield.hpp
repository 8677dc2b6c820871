#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink rules yield --rules FILE... [--profile P] [--seeds A-B] [--specimens N]`: the
/// rule set on generated lab days, in process (no daemon, no database): every tube a case with its
/// patient's earlier tube of the day as history and the QC gate in, decided as `rules test`
/// decides, and counted against the day's truth: tubes released without a person per seed, the
/// false negatives (a tube a person must see, every result released), the needless holds by
/// rule. Exit 0 with no false negative, 1 with some, 2 when the rules cannot be loaded.
void add_rules_yield_command(CLI::App& rules, CommandActions& actions);

}  // namespace hemalink::cli
