#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink migrate [--db DSN]`: applies the missing schema migrations. The DSN defaults to
/// $HEMALINK_DATABASE_URL. Exit status 0 when the schema is current, 2 for usage errors, 1 when
/// the database refuses or cannot be reached.
int run_migrate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
