#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string_view>

namespace CLI {
class App;
}

namespace hemalink::cli {

/// What a subcommand does once CLI11 has read its options: its exit status (0 done, 1 failed,
/// 2 asked for what cannot be done).
using CommandAction = std::function<int(std::ostream& out, std::ostream& err)>;

/// The action of each subcommand, by the CLI11 app that reads its options. Each
/// `add_*_command(CLI::App& hemalink, CommandActions&)` adds its subcommand and its action.
using CommandActions = std::map<const CLI::App*, CommandAction>;

/// "hemalink SUBCOMMAND: complaint" and where its options are told, on `err`; returns 2, the
/// exit status of a command line that cannot be run.
int refuse(std::ostream& err, const CLI::App& command, std::string_view complaint);

}  // namespace hemalink::cli
