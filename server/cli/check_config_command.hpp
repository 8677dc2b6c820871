#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink check-config [--explain] FILE`: reads the daemon configuration and every mapping
/// file it names, and reports every error at once, each with its JSON path. Exit status 0 when it
/// is valid, 2 when it is not. With --explain, a valid configuration's analyzers are each listed
/// with their mapping table (base, file, and every entry: canonical code, analyzer code, order
/// code, LOINC, units, and whether it came from the base or the file).
void add_check_config_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
