#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink token --user NAME --role viewer|technologist|admin [--json] [--tokens-file
/// FILE]`: makes a new random API token and prints it once, with the api.tokens entry that holds
/// its SHA-256 (the token itself is stored nowhere). With --tokens-file, the entry is added to that
/// file (api.tokens_file; made when absent, owner-only). With --json, prints {"token", "entry"}
/// for scripts. Exit status 0, 2 for usage errors, 1 when the file cannot be written.
void add_token_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
