// hemalink: instrument middleware for clinical laboratories. The composition root: the command
// line, read by CLI11 with a subcommand each (server/cli/hemalink_command.hpp).
#include <iostream>
#include <string>
#include <vector>

#include "server/cli/hemalink_command.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return hemalink::cli::run_hemalink(args, std::cout, std::cerr);
}
