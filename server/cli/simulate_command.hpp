#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink simulate`: an analyzer. Sends corpus files or generated messages to a host (or,
/// with --listen, waits for the host to dial), over E1381 or bare ASTM or MLLP, checks every
/// acknowledgement, and prints what was sent, acknowledged and NAKed and the latency from the
/// last byte sent to the acknowledgement. Exits 0 when every message was acknowledged (AE counts:
/// the host kept it as rejected), 1 when one was not, 2 for options that do not go together.
/// With --lab-day N --config FILE, plays a lab day instead (simulate_lab_day.hpp).
void add_simulate_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
