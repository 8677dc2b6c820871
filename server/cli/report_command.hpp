#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink report av --truth FILE [--since T] [--db DSN] [--json FILE] [--top N]`: the
/// autoverification yield of the specimens of a truth file, read from their automatic
/// decisions (docs/report-av.md). 0 when it ran (false negatives included), 2 on a
/// truth file or database error.
void add_report_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
