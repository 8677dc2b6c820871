#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink check-config [--explain] FILE`: reads the daemon configuration and every mapping file
/// it names, and reports every error at once, each with its JSON path. Exit status 0 when it is
/// valid, 2 when it is not (or for usage errors). With --explain, a valid configuration's
/// analyzers are each listed with their mapping table (base, file, and every entry: canonical
/// code, analyzer code, order code, LOINC, units, and whether it came from the base or the file).
int run_check_config(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
