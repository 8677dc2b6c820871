#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink report av --truth FILE [--since T] [--db DSN] [--json FILE] [--top N]`: the
/// autoverification yield of the specimens of a truth file, read from their automatic
/// decisions (docs/report-av.md). 0 when it ran (false negatives included), 2 on a usage,
/// truth file or database error.
int run_report(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
