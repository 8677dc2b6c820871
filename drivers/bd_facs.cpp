// BD FACSCanto II / FACSCalibur (MultiSET, FACSCanto clinical software) and FACSLyric (FACSuite
// Clinical) flow cytometers: lymphocyte subsets from the tab-delimited export files their
// software writes (one row per sample or tube, one column per statistic). Written against the
// export layouts described in ../shared/docs/protocols.md §4.3 (BD FACSLink TOC, getresults and
// senaite importers); BD publishes no LIS record layout.
//
// Quirks handled:
// - Result columns are named `(Average) CD3+CD4+ Abs Cnt` or, without averaging, with the panel
//   name before the statistic (`CD3/CD8/CD45/CD4 TruC CD3+CD4+ %Lymph`): both prefixes are
//   removed and the rest (`CD3+CD4+ Abs Cnt`) is looked up in the mapping table.
// - A column whose name ends in `Abs Cnt`, `%Lymph`, `%Lymphs` or `Ratio` is a result; if the
//   table does not know it, it is kept unmapped, never dropped. Other columns are sample data
//   (Sample ID, Case Number, Sex, Age, Date Analyzed, Operator, Panel Name) or ignored.
// - Several rows for one Sample ID (several panels or tubes) make one result set.
// - Abs Cnt is cells/uL, %Lymph percent of lymphocytes.
// - Lines may end in CR LF; a UTF-8 byte-order mark before the header is skipped.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "drivers/common/observations.hpp"
#include "drivers/common/values.hpp"
#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "drivers/registry.hpp"

namespace hemalink::drivers {
namespace {

constexpr std::string_view kName = "bd-facs";
constexpr std::string_view kAverage = "(Average) ";

std::vector<std::string_view> split(std::string_view line, char delimiter) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const auto stop = line.find(delimiter, start);
    cells.push_back(trim(line.substr(start, stop - start)));
    if (stop == std::string_view::npos) {
      return cells;
    }
    start = stop + 1;
  }
}

bool is_result_column(std::string_view name) {
  return name.ends_with(" Abs Cnt") || name.ends_with(" %Lymph") || name.ends_with(" %Lymphs") ||
         name.ends_with("Ratio");
}

// `(Average) CD3+CD4+ Abs Cnt` and `CD3/CD8/CD45/CD4 TruC CD3+CD4+ %Lymph` -> `CD3+CD4+ ...`.
std::string statistic_name(std::string_view column) {
  if (column.starts_with(kAverage)) {
    column.remove_prefix(kAverage.size());
  }
  const std::size_t suffix_words = column.ends_with(" Abs Cnt") ? 2 : 1;
  std::size_t words = 0;
  std::size_t at = column.size();
  while (at > 0) {
    const auto space = column.rfind(' ', at - 1);
    ++words;
    if (words == suffix_words + 1 || space == std::string_view::npos) {
      return std::string(space == std::string_view::npos ? column : column.substr(space + 1));
    }
    at = space;
  }
  return std::string(column);
}

std::string units_of(std::string_view statistic) {
  if (statistic.ends_with(" Abs Cnt")) {
    return "cells/uL";
  }
  if (statistic.ends_with("Ratio")) {
    return "ratio";
  }
  return "%";
}

struct Columns {
  std::size_t sample_id = SIZE_MAX;
  std::size_t case_number = SIZE_MAX;
  std::size_t sex = SIZE_MAX;
  std::size_t age = SIZE_MAX;
  std::size_t date = SIZE_MAX;
  std::size_t panel = SIZE_MAX;
  std::vector<std::pair<std::size_t, std::string>> results;  // column, statistic name
};

Columns read_header(const std::vector<std::string_view>& header) {
  Columns c;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto name = header[i];
    if (equals_ignoring_case(name, "Sample ID") || equals_ignoring_case(name, "Sample Name")) {
      c.sample_id = c.sample_id == SIZE_MAX ? i : c.sample_id;
    } else if (equals_ignoring_case(name, "Case Number") ||
               equals_ignoring_case(name, "Patient ID")) {
      c.case_number = i;
    } else if (equals_ignoring_case(name, "Sex")) {
      c.sex = i;
    } else if (equals_ignoring_case(name, "Age")) {
      c.age = i;
    } else if (equals_ignoring_case(name, "Date Analyzed")) {
      c.date = i;
    } else if (equals_ignoring_case(name, "Panel Name")) {
      c.panel = i;
    } else if (is_result_column(name)) {
      c.results.emplace_back(i, statistic_name(name));
    }
  }
  return c;
}

class BdFacs final : public Driver {
 public:
  explicit BdFacs(DriverSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  model::WireProtocol input() const override { return model::WireProtocol::Export; }

  Result<Translation> translate_export(std::string_view content) const override {
    if (content.starts_with("\xEF\xBB\xBF")) {
      content.remove_prefix(3);
    }
    std::vector<std::pair<std::string_view, std::size_t>> lines;  // text, 1-based line number
    std::size_t number = 0;
    for (std::size_t start = 0; start < content.size();) {
      auto stop = content.find('\n', start);
      stop = stop == std::string_view::npos ? content.size() : stop;
      ++number;
      auto line = content.substr(start, stop - start);
      if (line.ends_with('\r')) {
        line.remove_suffix(1);
      }
      if (!trim(line).empty()) {
        lines.emplace_back(line, number);
      }
      start = stop + 1;
    }
    if (lines.empty()) {
      return error(0, "the file is empty");
    }
    const auto header = split(lines[0].first, '\t');
    const Columns columns = read_header(header);
    if (columns.sample_id == SIZE_MAX) {
      return error(lines[0].second, "no \"Sample ID\" column in the header (is it tab-delimited?)");
    }
    Translation out;
    for (std::size_t row = 1; row < lines.size(); ++row) {
      const auto [line, line_number] = lines[row];
      const auto cells = split(line, '\t');
      if (cells.size() > header.size()) {
        return error(line_number, fmt::format("{} cells where the header has {} columns",
                                              cells.size(), header.size()));
      }
      auto cell = [&](std::size_t i) { return i < cells.size() ? cells[i] : std::string_view(); };
      const std::string specimen(cell(columns.sample_id));
      if (specimen.empty()) {
        return error(line_number, "the Sample ID cell is empty");
      }
      auto& set = find_or_add(out, specimen);
      set.patient =
          model::Patient{std::string(cell(columns.case_number)), std::string(cell(columns.sex)), "",
                         parse_number(cell(columns.age))};
      for (const auto& [index, statistic] : columns.results) {
        add_result(set, statistic, cell(index), cell(columns.date), out.warnings);
      }
    }
    return out;
  }

 private:
  static ParseError error(std::size_t line, std::string_view what) {
    return {make_error_code(Errc::MalformedExport), fmt::format("line {}: {}", line, what), 0};
  }

  static model::ResultSet& find_or_add(Translation& out, const std::string& specimen) {
    for (auto& set : out.result_sets) {
      if (set.specimen_id == specimen) {
        return set;
      }
    }
    auto& set = out.result_sets.emplace_back();
    set.specimen_id = specimen;
    set.analyzer.driver = std::string(kName);
    return set;
  }

  void add_result(model::ResultSet& set, const std::string& statistic, std::string_view text,
                  std::string_view analyzed_at, std::vector<std::string>& warnings) const {
    if (text.empty()) {
      return;  // this tube did not measure it
    }
    const auto value = parse_value(text);
    model::Observation& o = set.observations.emplace_back();
    o.raw_code = statistic;
    o.value = value.text;
    o.numeric = value.numeric;
    o.comparator = value.comparator;
    o.raw_units = units_of(statistic);
    o.measured_at = std::string(analyzed_at);
    apply_mapping(o, settings_.mappings.find(statistic), warnings);
  }

  DriverSettings settings_;
};

}  // namespace

std::unique_ptr<Driver> make_bd_facs(DriverSettings settings) {
  return std::make_unique<BdFacs>(std::move(settings));
}

}  // namespace hemalink::drivers
