#include "server/cli/shared_options.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hemalink::cli {
namespace {

bool is_finite_from(const std::string& text, double least, bool is_least_in, double most) {
  const auto n = number_in<double>(text);
  return n && std::isfinite(*n) && (is_least_in ? *n >= least : *n > least) && *n <= most;
}

}  // namespace

CLI::Validator whole_number(std::uint64_t least) {
  return {[least](std::string& text) -> std::string {
            const auto n = number_in<std::uint64_t>(text);
            if (!n || *n < least) {
              return fmt::format("expected a whole number{}, got \"{}\"",
                                 least == 0 ? "" : fmt::format(" from {}", least), text);
            }
            text = std::to_string(*n);
            return {};
          },
          "", "whole number"};
}

CLI::Validator number_from(double least) {
  return {[least](std::string& text) -> std::string {
            return is_finite_from(text, least, true, std::numeric_limits<double>::max())
                       ? ""
                       : fmt::format("expected a number from {}, got \"{}\"", least, text);
          },
          "", "number from"};
}

CLI::Validator number_above(double bound, double most) {
  return {[bound, most](std::string& text) -> std::string {
            if (is_finite_from(text, bound, false, most)) {
              return {};
            }
            return most == std::numeric_limits<double>::max()
                       ? fmt::format("expected a number above {}, got \"{}\"", bound, text)
                       : fmt::format("expected a number above {} and at most {}, got \"{}\"", bound,
                                     most, text);
          },
          "", "number above"};
}

std::optional<HostPort> host_port_of(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  const auto port = number_in<std::uint16_t>(text.substr(colon + 1));
  if (!port) {
    return std::nullopt;
  }
  return HostPort{text.substr(0, colon), *port};
}

CLI::Validator host_port() {
  return {[](std::string& text) -> std::string {
            return host_port_of(text) ? "" : fmt::format("expected HOST:PORT, got \"{}\"", text);
          },
          "", "HOST:PORT"};
}

CLI::Option* add_rule_files_option(CLI::App& command, std::vector<std::filesystem::path>& files) {
  return command
      .add_option("--rules", files,
                  "a rule file; repeat it for several, loaded as one set in the order given")
      ->type_name("FILE")
      ->allow_extra_args(false)
      ->required();
}

CLI::Option* add_lab_profile_option(CLI::App& command, simulate::LabProfile& profile) {
  using simulate::LabProfile;
  std::vector<std::string> names;
  for (auto p : {LabProfile::Hospital, LabProfile::Outpatient, LabProfile::Oncology}) {
    names.emplace_back(simulate::name_of(p));
  }
  return command
      .add_option_function<std::string>(
          "--profile",
          [&profile](const std::string& name) { profile = *simulate::lab_profile_from_name(name); },
          "whose specimens the lab day holds (docs/lab-day.md gives each case mix)")
      ->default_str(std::string(simulate::name_of(profile)))
      ->check(CLI::IsMember(names));
}

CLI::Option* add_database_option(CLI::App& command, std::string& dsn) {
  return command
      .add_option("--db", dsn, "the PostgreSQL database (a libpq connection string or URL)")
      ->envname("HEMALINK_DATABASE_URL")
      ->type_name("DSN")
      ->required();
}

}  // namespace hemalink::cli
