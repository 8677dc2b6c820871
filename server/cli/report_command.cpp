#include "server/cli/report_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <optional>

#include "server/cli/shared_options.hpp"
#include "server/report/autoverification_records.hpp"
#include "server/report/autoverification_report.hpp"

namespace hemalink::cli {
namespace {

struct Arguments {
  std::string truth;
  std::optional<std::string> since;
  std::string dsn;
  std::optional<std::string> json;
  std::size_t top = 10;
};

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
  auto records = report::read_autoverification(a.dsn, a.since, ids);
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

void declare_options(CLI::App& av, Arguments& a) {
  av.add_option("--truth", a.truth,
                "JSON Lines: specimen_id, profile, condition, must_review, why (simulate --truth)")
      ->type_name("FILE")
      ->required();
  av.add_option("--since", a.since,
                "only specimens first received at or after TIME (ISO 8601; UTC unless it says)")
      ->type_name("TIME");
  add_database_option(av, a.dsn);
  av.add_option("--json", a.json,
                "also write the report as JSON to FILE (docs/report-av.md names its fields)")
      ->type_name("FILE");
  add_whole_number_option(av, "--top", a.top, "how many hold reasons to list", 1);
}

}  // namespace

void add_report_command(CLI::App& hemalink, CommandActions& actions) {
  auto* report = hemalink.add_subcommand("report", "what a lab's decisions came to");
  report->require_subcommand(0, 1);
  add_command<Arguments>(
      *report, actions, "av",
      "the autoverification yield of the truth file's specimens, from the automatic decision of "
      "each of their results: specimens and results released without a person (overall, by "
      "test, analyzer and profile), the held specimens' reasons, the false negatives (the truth "
      "says a person must see it, every result released), the needless holds by rule, the "
      "specimens missing from the database",
      declare_options, report_av);
}

}  // namespace hemalink::cli
