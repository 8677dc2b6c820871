#include "server/cli/check_config_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "server/config/daemon_config.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/files/file_error.hpp"
#include "server/ingest/configured_message_reader.hpp"

namespace hemalink::cli {
int run_check_config(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0].starts_with("-")) {
    fmt::print(err, "usage: hemalink check-config FILE\n");
    return 2;
  }
  const std::filesystem::path file(args[0]);
  auto parsed = config::read_daemon_config_file(file);
  files::FileErrors errors;
  if (!parsed) {
    errors = parsed.error();
  } else {
    // Their own errors have no file: they are the configuration's.
    if (auto reader = ingest::configured_message_reader(*parsed); !reader) {
      errors = files::in_file(reader.error(), file.string());
    }
    if (auto mappings = config::load_lis_mappings(parsed->lis); !mappings) {
      const auto more = files::in_file(mappings.error(), file.string());
      errors.insert(errors.end(), more.begin(), more.end());
    }
  }
  if (!errors.empty()) {
    fmt::print(err, "{}\n", files::describe(errors, "\n"));
    fmt::print(err, "{}: {} error{}\n", file.string(), errors.size(),
               errors.size() == 1 ? "" : "s");
    return 2;
  }
  const auto& c = *parsed;
  std::string names;
  for (const auto& a : c.analyzers) {
    names += fmt::format("{}{} ({}, {})", names.empty() ? "" : ", ", a.name, a.driver,
                         config::to_string(a.protocol));
  }
  std::string destinations;
  for (const auto& d : c.lis) {
    destinations += fmt::format("{}{} ({})", destinations.empty() ? "" : ", ", d.name,
                                config::to_string(d.protocol));
  }
  fmt::print(out, "{}: ok: {} analyzer{}: {}; {} LIS destination{}{}{}\n", file.string(),
             c.analyzers.size(), c.analyzers.size() == 1 ? "" : "s", names, c.lis.size(),
             c.lis.size() == 1 ? "" : "s", c.lis.empty() ? "" : ": ", destinations);
  return 0;
}

}  // namespace hemalink::cli
