#include "server/cli/hemalink_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <sstream>

#include "server/cli/check_config_command.hpp"
#include "server/cli/command_line.hpp"
#include "server/cli/decode_command.hpp"
#include "server/cli/lis_sim_command.hpp"
#include "server/cli/migrate_command.hpp"
#include "server/cli/outbox_command.hpp"
#include "server/cli/report_command.hpp"
#include "server/cli/rules_command.hpp"
#include "server/cli/serve_command.hpp"
#include "server/cli/simulate_command.hpp"
#include "server/cli/token_command.hpp"

namespace hemalink::cli {
namespace {

constexpr std::size_t kHelpWidth = 100;
constexpr std::size_t kOptionColumn = 30;

// `text` in lines of at most `width` characters, broken between words; a line that starts
// indented keeps its indent on the lines it is broken into.
std::string wrapped(const std::string& text, std::size_t width) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto indent = line.substr(0, line.find_first_not_of(' '));
    std::istringstream words(line.substr(indent.size()));
    std::string current = indent;
    for (std::string word; words >> word;) {
      if (current.size() > indent.size() && current.size() + 1 + word.size() > width) {
        out += current + "\n";
        current = indent;
      }
      current += (current.size() > indent.size() ? " " : "") + word;
    }
    out += current + "\n";
  }
  if (!out.empty() && (text.empty() || text.back() != '\n')) {
    out.pop_back();
  }
  return out;
}

// The names of `options` in `group`, or of all when `group` is empty.
std::string names_of(const std::set<CLI::Option*>& options, const std::string& group = "") {
  std::string names;
  for (const auto* o : options) {
    if (group.empty() || o->get_group() == group) {
      names += (names.empty() ? "" : " ") + o->get_name();
    }
  }
  return names;
}

// CLI11's help, with descriptions broken to the width of a terminal, and the options that one
// needs or excludes told after its description rather than beside its name. Only the excluded
// options of its own group are told: groups that exclude each other (a subcommand's modes) say so
// in their names.
class HelpLayout : public CLI::Formatter {
 public:
  HelpLayout() { column_width(kOptionColumn); }

  std::string make_option_opts(const CLI::Option* o) const override {
    std::string opts;
    if (o->get_type_size() != 0) {
      opts += " " + o->get_type_name();
      if (!o->get_default_str().empty()) {
        opts += "=" + o->get_default_str();
      }
      if (o->get_expected_max() == CLI::detail::expected_max_vector_size) {
        opts += " ...";
      }
      if (o->get_required()) {
        opts += " REQUIRED";
      }
    }
    if (!o->get_envname().empty()) {
      opts += " (env " + o->get_envname() + ")";
    }
    return opts;
  }

  std::string make_option_desc(const CLI::Option* o) const override {
    std::string desc = o->get_description();
    if (!o->get_needs().empty()) {
      desc += fmt::format(" (needs {})", names_of(o->get_needs()));
    }
    if (const auto excluded = names_of(o->get_excludes(), o->get_group()); !excluded.empty()) {
      desc += fmt::format(" (excludes {})", excluded);
    }
    return wrapped(desc, kHelpWidth - kOptionColumn);
  }

  std::string make_description(const CLI::App* app) const override {
    const auto& desc = app->get_description();
    return desc.empty() ? "" : wrapped(desc, kHelpWidth) + "\n";
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    std::ostringstream out;
    CLI::detail::format_help(out, sub->get_name(),
                             wrapped(sub->get_description(), kHelpWidth - kOptionColumn),
                             kOptionColumn);
    return out.str();
  }

  std::string make_footer(const CLI::App* app) const override {
    const auto& footer = app->get_footer();
    return footer.empty() ? "" : wrapped(footer, kHelpWidth) + "\n";
  }
};

// The deepest subcommand on the command line: the one whose options were read last.
const CLI::App& chosen(const CLI::App& hemalink) {
  const CLI::App* at = &hemalink;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
  }
  return *at;
}

// An argument no (sub)command took is told first: CLI11 checks what is missing before what is
// left over, and would say "--user is required" for `token --usr ana`. It is told as the
// subcommand's, also when the subcommand handed it on to its parent (outbox list to outbox).
int refuse_command_line(const CLI::App& command, const CLI::ParseError& e, std::ostream& err) {
  for (const auto* at = &command; at != nullptr; at = at->get_parent()) {
    if (const auto extras = at->remaining(); !extras.empty()) {
      // ExtrasError joins them from the last (as CLI11 collects them).
      return refuse(err, command, CLI::ExtrasError({extras.rbegin(), extras.rend()}).what());
    }
  }
  return refuse(err, command, e.what());
}

void add_help_and_version(CLI::App& hemalink, CommandActions& actions) {
  const auto* help = hemalink.add_subcommand("help", "print this text");
  actions[help] = [&hemalink](std::ostream& out, std::ostream&) {
    out << hemalink.get_formatter()->make_help(&hemalink, hemalink.get_name(),
                                               CLI::AppFormatMode::Normal);
    return 0;
  };
  const auto* version = hemalink.add_subcommand("version", "print the version");
  actions[version] = [](std::ostream& out, std::ostream&) {
    fmt::print(out, "hemalink {}\n", HEMALINK_VERSION);
    return 0;
  };
}

}  // namespace

int run_hemalink(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App hemalink(
      "instrument middleware for clinical laboratories: analyzers' results in, "
      "autoverified, to the LIS",
      "hemalink");
  hemalink.formatter(std::make_shared<HelpLayout>());
  hemalink.set_help_flag("-h,--help", "print this help and exit");
  hemalink.set_version_flag("--version", fmt::format("hemalink {}", HEMALINK_VERSION),
                            "print the version and exit");
  hemalink.require_subcommand(0, 1);
  CommandActions actions;
  add_decode_command(hemalink, actions);
  add_check_config_command(hemalink, actions);
  add_serve_command(hemalink, actions);
  add_simulate_command(hemalink, actions);
  add_rules_command(hemalink, actions);
  add_lis_sim_command(hemalink, actions);
  add_outbox_command(hemalink, actions);
  add_report_command(hemalink, actions);
  add_token_command(hemalink, actions);
  add_migrate_command(hemalink, actions);
  add_help_and_version(hemalink, actions);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    hemalink.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << hemalink.help();
    return 0;
  } catch (const CLI::CallForVersion& version) {
    fmt::print(out, "{}\n", version.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    return refuse_command_line(chosen(hemalink), e, err);
  }
  const auto& command = chosen(hemalink);
  const auto action = actions.find(&command);
  if (action == actions.end()) {
    std::string names;
    for (const auto* sub : command.get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    return refuse(err, command, fmt::format("a subcommand is required: {}", names));
  }
  return action->second(out, err);
}

}  // namespace hemalink::cli
