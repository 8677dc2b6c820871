#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hemalink::cli {

/// The hemalink command line (`args`: argv without the program's name), read by one CLI11 app
/// with a subcommand each, and the subcommand run. `--help` after any (sub)command prints its
/// usage and options to `out` and returns 0; a command line CLI11 or the subcommand refuses (an
/// unknown option, a missing value, a bad number, a missing required option, options that
/// exclude each other) is told on `err`, naming the option, and returns 2. Otherwise the
/// subcommand's own exit status.
int run_hemalink(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
