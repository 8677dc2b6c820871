#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "drivers/mapping.hpp"
#include "protocols/common/result.hpp"
#include "server/config/analyzer_config.hpp"
#include "server/files/file_error.hpp"

namespace hemalink::config {

/// An analyzer's mapping table, exactly what its configuration names: the shipped table of its
/// "base" (without one, the driver's own: sysmex-xn, sysmex-cs, bd-facs; generic-astm and
/// generic-hl7 have none), then the entries of its mappings file over it. Nothing else is merged
/// in: a code in neither is unmapped, and the analyzer is never sent a test outside the table.
struct AnalyzerTable {
  std::string base;            ///< The shipped table's name; empty: none.
  std::filesystem::path file;  ///< The mappings file; empty: none.
  drivers::MappingTable from_base;
  drivers::MappingTable from_file;

  /// The base's entries with the file's over them: what the analyzer's driver is built with.
  drivers::MappingTable effective() const;
};

/// Reads the table of `a`, analyzers[`index`] of the configuration. Fails with every error:
/// an unknown base or a file that cannot be read at their JSON path in the configuration (no file
/// named: the caller knows it), an error inside the mappings file naming that file.
Result<AnalyzerTable, files::FileErrors> read_analyzer_table(const AnalyzerConfig& a,
                                                             std::size_t index);

}  // namespace hemalink::config
