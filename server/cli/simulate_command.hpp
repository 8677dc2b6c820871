#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink simulate`: an analyzer. Sends corpus files or generated messages to a host (or, with
/// --listen, waits for the host to dial), over E1381 or bare ASTM or MLLP, checks every
/// acknowledgement, and prints what was sent, acknowledged and NAKed and the latency from the
/// last byte sent to the acknowledgement. Exits 0 when every message was acknowledged (AE counts:
/// the host kept it as rejected), 1 when one was not, 2 for bad arguments.
int run_simulate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
