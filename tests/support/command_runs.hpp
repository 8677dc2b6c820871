#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "server/cli/hemalink_command.hpp"

namespace hemalink::testing {

/// What a hemalink command line printed and returned.
struct CommandRun {
  int status;
  std::string out;
  std::string err;
};

/// `hemalink ARGS...` (the subcommand first), run in this process.
inline CommandRun run_command_line(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = cli::run_hemalink(args, out, err);
  return {status, out.str(), err.str()};
}

/// `hemalink SUBCOMMAND ARGS...`.
inline CommandRun run_command_line(const std::string& subcommand, std::vector<std::string> args) {
  args.insert(args.begin(), subcommand);
  return run_command_line(args);
}

}  // namespace hemalink::testing
