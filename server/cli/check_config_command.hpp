#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink check-config FILE`: reads the daemon configuration and every mapping file it names,
/// and reports every error at once, each with its JSON path. Exit status 0 when it is valid, 2
/// when it is not (or for usage errors).
int run_check_config(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
