#include "server/cli/command_line.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <string>

namespace hemalink::cli {

int refuse(std::ostream& err, const CLI::App& command, std::string_view complaint) {
  std::string path = command.get_name();
  for (const auto* at = command.get_parent(); at != nullptr; at = at->get_parent()) {
    path = at->get_name() + " " + path;
  }
  fmt::print(err, "{}: {}\nrun `{} --help` for its options\n", path, complaint, path);
  return 2;
}

}  // namespace hemalink::cli
