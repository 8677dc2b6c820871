#include "server/cli/check_config_command.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>

#include "server/cli/shared_options.hpp"
#include "server/config/analyzer_table.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/daemon/daemon_config.hpp"
#include "server/files/file_error.hpp"
#include "server/ingest/configured_message_reader.hpp"

namespace hemalink::cli {
namespace {

using Row = std::array<std::string, 6>;

// One row per entry: canonical code, the analyzer's code, the code it is ordered by (flags and
// attachments are never ordered), LOINC, units, and the table it comes from.
std::vector<Row> entry_rows(const config::AnalyzerTable& t) {
  const auto table = t.effective();
  std::vector<Row> rows;
  for (const auto& [raw, m] : table.entries()) {
    std::string order = m.role == drivers::CodeRole::Flag ? "(flag)"
                        : m.role == drivers::CodeRole::Attachment
                            ? "(attachment)"
                            : table.order_code(m.code).value_or("-");
    const bool is_from_file = t.from_file.find(raw) != nullptr;
    rows.push_back({m.code.empty() ? raw : m.code, raw, std::move(order),
                    m.loinc.empty() ? "-" : m.loinc, m.units.empty() ? "-" : m.units,
                    is_from_file ? "file" : t.base});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

void print_rows(std::ostream& out, const std::vector<Row>& rows) {
  std::array<std::size_t, 6> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += fmt::format(" {:<{}}", row[i], i + 1 == row.size() ? 0 : widths[i]);
    }
    fmt::print(out, "{}\n", line);
  }
}

// Each analyzer's effective table: what it maps, what it can be sent, and from where.
void explain_tables(const daemon::DaemonConfig& c, std::ostream& out) {
  for (std::size_t i = 0; i < c.analyzers.size(); ++i) {
    const auto& a = c.analyzers[i];
    auto table = config::read_analyzer_table(a, i);
    if (!table) {
      continue;  // reported as an error already
    }
    fmt::print(out, "\n{} ({}): base {}, file {}: ", a.name, a.driver,
               table->base.empty() ? "none" : table->base,
               table->file.empty() ? "none" : table->file.string());
    auto rows = entry_rows(*table);
    if (rows.empty()) {
      fmt::print(out, "no entries: its results are kept unmapped and it is sent no work\n");
      continue;
    }
    fmt::print(out, "{} entr{}\n", rows.size(), rows.size() == 1 ? "y" : "ies");
    rows.insert(rows.begin(), Row{"code", "analyzer code", "order code", "LOINC", "units", "from"});
    print_rows(out, rows);
  }
}

struct Arguments {
  std::filesystem::path file;
  bool explain = false;
};

int check_config(const Arguments& a, std::ostream& out, std::ostream& err) {
  const auto& file = a.file;
  auto parsed = daemon::read_daemon_config_file(file);
  files::FileErrors errors;
  if (!parsed) {
    errors = parsed.error();
  } else {
    // Their own errors have no file: they are the configuration's.
    if (auto reader =
            ingest::configured_message_reader(parsed->analyzers, parsed->rules, parsed->qc);
        !reader) {
      errors = files::in_file(reader.error(), file.string());
    }
    if (auto mappings = lis::load_lis_mappings(parsed->lis); !mappings) {
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
  if (a.explain) {
    explain_tables(c, out);
  }
  return 0;
}

void declare_options(CLI::App& app, Arguments& a) {
  app.add_option("FILE", a.file, "the configuration (JSON)")->required();
  app.add_flag("--explain", a.explain,
               "also print each analyzer's mapping table and where each entry comes from");
}

}  // namespace

void add_check_config_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<Arguments>(
      hemalink, actions, "check-config",
      "validate a daemon configuration and the mapping files it names: every error is reported "
      "with its JSON path (exit 2 when there is one)",
      declare_options, check_config);
}

}  // namespace hemalink::cli
