#include "server/config/analyzer_table.hpp"

#include <fmt/format.h>

#include "server/config/mapping_json.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::config {

drivers::MappingTable AnalyzerTable::effective() const {
  auto table = from_base;
  table.merge(from_file);
  return table;
}

Result<AnalyzerTable, files::FileErrors> read_analyzer_table(const AnalyzerConfig& a,
                                                             std::size_t index) {
  AnalyzerTable t;
  t.base = mapping_base(a.driver, a.base);
  t.file = a.mappings_file;
  files::FileErrors errors;
  if (auto base = shipped_mapping_table(t.base)) {
    t.from_base = std::move(*base);
  } else {
    for (auto error : base.error()) {
      if (error.file.empty()) {
        error.where = fmt::format("analyzers[{}].{}", index, error.where);
      }
      errors.push_back(std::move(error));
    }
  }
  if (!t.file.empty()) {
    if (auto text = files::read_text_file(t.file); !text) {
      errors.push_back({"", std::nullopt, fmt::format("analyzers[{}].mappings", index),
                        fmt::format("cannot read {}", t.file.string()), files::Errc::Unreadable});
    } else if (auto table = mapping_table_from_json(*text, t.file.string()); !table) {
      errors.insert(errors.end(), table.error().begin(), table.error().end());
    } else {
      t.from_file = std::move(*table);
    }
  }
  if (!errors.empty()) {
    return errors;
  }
  return t;
}

}  // namespace hemalink::config
