#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink lis-sim --listen HOST:PORT --protocol hl7|astm [faults] [--record FILE]`: a LIS
/// that acknowledges what it receives until SIGTERM or SIGINT (or --duration), then prints its
/// totals. Returns the exit status.
int run_lis_sim(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
