#include "server/cli/check_config_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "server/config/daemon_config.hpp"
#include "server/ingest/configured_message_reader.hpp"

namespace hemalink::cli {
int run_check_config(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0].starts_with("-")) {
    fmt::print(err, "usage: hemalink check-config FILE\n");
    return 2;
  }
  const std::filesystem::path file(args[0]);
  auto parsed = config::read_daemon_config_file(file);
  std::vector<std::string> errors;
  if (auto* bad = std::get_if<config::ConfigErrors>(&parsed)) {
    errors = bad->errors;
  } else {
    auto reader = ingest::configured_message_reader(std::get<config::DaemonConfig>(parsed));
    if (auto* bad_mappings = std::get_if<std::vector<std::string>>(&reader)) {
      errors = std::move(*bad_mappings);
    }
  }
  for (const auto& e : errors) {
    fmt::print(err, "{}: {}\n", file.string(), e);
  }
  if (!errors.empty()) {
    fmt::print(err, "{}: {} error{}\n", file.string(), errors.size(),
               errors.size() == 1 ? "" : "s");
    return 2;
  }
  const auto& c = std::get<config::DaemonConfig>(parsed);
  std::string names;
  for (const auto& a : c.analyzers) {
    names += fmt::format("{}{} ({}, {})", names.empty() ? "" : ", ", a.name, a.driver,
                         config::to_string(a.protocol));
  }
  fmt::print(out, "{}: ok: {} analyzer{}: {}\n", file.string(), c.analyzers.size(),
             c.analyzers.size() == 1 ? "" : "s", names);
  return 0;
}

}  // namespace hemalink::cli
