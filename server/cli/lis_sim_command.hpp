#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink lis-sim --listen HOST:PORT --protocol hl7|astm [faults] [--record FILE]`: a LIS
/// that acknowledges what it receives until SIGTERM or SIGINT (or --duration), then prints its
/// totals. Exit status 0, 1 when it cannot listen, 2 when the orders to send cannot be read.
void add_lis_sim_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
