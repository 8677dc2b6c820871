#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink token --user NAME --role viewer|technologist|admin [--json]`: makes a new random
/// API token and prints it once, with the api.tokens entry that holds its SHA-256 (the token
/// itself is stored nowhere). With --json, prints {"token", "entry"} for scripts. Exit status 0,
/// or 2 for usage errors.
int run_token(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
