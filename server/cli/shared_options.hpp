#pragma once

// What the subcommands' command lines share: how a subcommand is added with its action, CLI11
// checks of an option's text, each refusing with what it expected and what it got (CLI11 puts the
// option's name before it: "--count: expected a whole number from 1, got \"abc\""), and the
// options several subcommands have.

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/cli/command_line.hpp"
#include "server/simulate/lab_day.hpp"

namespace hemalink::cli {

/// Adds subcommand `name` to `parent`: `declare(app, arguments)` declares its options, read into
/// an Arguments, and its action is `act(arguments, out, err)`, or `act(arguments, command, out,
/// err)` for one that refuses what CLI11 cannot judge (refuse()). Returns the subcommand's app.
template <typename Arguments, typename Declare, typename Act>
CLI::App* add_command(CLI::App& parent, CommandActions& actions, const std::string& name,
                      const std::string& description, Declare declare, Act act) {
  auto* app = parent.add_subcommand(name, description);
  auto arguments = std::make_shared<Arguments>();
  declare(*app, *arguments);
  actions[app] = [arguments, act, app](std::ostream& out, std::ostream& err) -> int {
    if constexpr (std::is_invocable_v<Act, Arguments&, const CLI::App&, std::ostream&,
                                      std::ostream&>) {
      return act(*arguments, *app, out, err);
    } else {
      return act(*arguments, out, err);
    }
  };
  return app;
}

/// `text` as a Number (decimal; a sign only for a signed Number), nothing left over.
template <typename Number>
std::optional<Number> number_in(const std::string& text) {
  Number n{};
  const auto* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, n);
  if (error != std::errc() || at != end) {
    return std::nullopt;
  }
  return n;
}

/// A whole number from `least` on: digits only, no sign. A transform, not a check: it gives CLI11
/// the number in plain decimal, which would read "010" as octal and "-3" as a huge unsigned.
CLI::Validator whole_number(std::uint64_t least = 0);

/// NAME N: a whole number from `least` on (whole_number), its default told by the help.
template <typename Number>
CLI::Option* add_whole_number_option(CLI::App& command, const std::string& name, Number& n,
                                     const std::string& description, std::uint64_t least = 0) {
  return command.add_option(name, n, description)
      ->type_name("N")
      ->capture_default_str()
      ->transform(whole_number(least));
}

/// A finite decimal number from `least` on.
CLI::Validator number_from(double least);

/// A finite decimal number above `bound`, up to `most`.
CLI::Validator number_above(double bound, double most = std::numeric_limits<double>::max());

/// HOST:PORT, split at the last colon, so that an IPv6 host keeps its colons.
using HostPort = std::pair<std::string, std::uint16_t>;
std::optional<HostPort> host_port_of(const std::string& text);
CLI::Validator host_port();

/// --rules FILE, required, repeated for several files (loaded as one set, in order).
CLI::Option* add_rule_files_option(CLI::App& command, std::vector<std::filesystem::path>& files);

/// --profile hospital|outpatient|oncology: whose specimens a generated lab day holds.
CLI::Option* add_lab_profile_option(CLI::App& command, simulate::LabProfile& profile);

/// --db DSN, required, $HEMALINK_DATABASE_URL when not given.
CLI::Option* add_database_option(CLI::App& command, std::string& dsn);

}  // namespace hemalink::cli
