#include "server/cli/report_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <fstream>
#include <optional>

#include "server/cli/command_arguments.hpp"
#include "server/config/daemon_config.hpp"
#include "server/report/autoverification_records.hpp"
#include "server/report/autoverification_report.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink report av --truth FILE [--since TIME] [--db DSN] [--json FILE] [--top N]\n"
    "  av       the autoverification yield of the truth file's specimens, from the automatic\n"
    "           decision of each of their results: specimens and results released without a\n"
    "           person (overall, by test, analyzer and profile), the held specimens' reasons,\n"
    "           the false negatives (the truth says a person must see it, every result\n"
    "           released), the needless holds by rule, the specimens missing from the database\n"
    "  --truth  JSON Lines: specimen_id, profile, condition, must_review, why (simulate --truth)\n"
    "  --since  only specimens first received at or after TIME (ISO 8601; UTC unless it says)\n"
    "  --json   also write the report as JSON to FILE (docs/report-av.md names its fields)\n"
    "  --top    how many hold reasons to list (default 10)\n"
    "  DSN defaults to $HEMALINK_DATABASE_URL.\n";

struct Arguments {
  std::string action;
  std::string truth;
  std::optional<std::string> since;
  std::optional<std::string> dsn;
  std::optional<std::string> json;
  std::size_t top = 10;
};

std::string parse(const std::vector<std::string>& args, Arguments& a) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--truth" && has_value) {
      a.truth = args[++i];
    } else if (arg == "--since" && has_value) {
      a.since = args[++i];
    } else if (arg == "--db" && has_value) {
      a.dsn = args[++i];
    } else if (arg == "--json" && has_value) {
      a.json = args[++i];
    } else if (arg == "--top" && has_value) {
      if (!parse_number(args[++i], a.top) || a.top == 0) {
        return fmt::format("--top: expected a number of reasons, got \"{}\"", args[i]);
      }
    } else if (arg.starts_with("--")) {
      return fmt::format("unexpected option \"{}\"{}", arg,
                         has_value ? "" : " (or its value missing)");
    } else if (a.action.empty()) {
      a.action = arg;
    } else {
      return fmt::format("unexpected argument \"{}\"", arg);
    }
  }
  if (a.action != "av") {
    return a.action.empty() ? "av is required" : fmt::format("unknown report \"{}\"", a.action);
  }
  if (a.truth.empty()) {
    return "--truth FILE is required";
  }
  return {};
}

int report_av(const Arguments& a, std::ostream& out, std::ostream& err) {
  auto truth = report::read_truth_file(a.truth);
  if (!truth) {
    fmt::print(err, "hemalink report: {}\n", files::describe(truth.error(), "\nhemalink report: "));
    return 2;
  }
  std::vector<std::string> ids;
  ids.reserve(truth->size());
  for (const auto& t : *truth) {
    ids.push_back(t.specimen_id);
  }
  auto records = report::read_autoverification(*a.dsn, a.since, ids);
  if (!records) {
    fmt::print(err, "hemalink report: {}\n", records.error().detail);
    return 2;
  }
  auto report = report::measure_autoverification(*records, *truth, a.top);
  report.since = a.since;
  fmt::print(out, "{}", report::report_text(report));
  if (a.json) {
    std::ofstream file(*a.json, std::ios::binary | std::ios::trunc);
    file << report::report_json(report);
    if (!file.flush()) {
      fmt::print(err, "hemalink report: cannot write {}\n", *a.json);
      return 2;
    }
  }
  return 0;
}

}  // namespace

int run_report(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    fmt::print(out, "{}", kUsage);
    return 0;
  }
  Arguments a;
  if (auto complaint = parse(args, a); !complaint.empty()) {
    fmt::print(err, "hemalink report: {}\n{}", complaint, kUsage);
    return 2;
  }
  if (!a.dsn) {
    a.dsn = config::database_url_from_environment();
    if (!a.dsn) {
      fmt::print(err, "hemalink report: no database: give --db DSN or set HEMALINK_DATABASE_URL\n");
      return 2;
    }
  }
  return report_av(a, out, err);
}

}  // namespace hemalink::cli
