#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hemalink::cli {

/// `hemalink outbox [--db DSN] list|show ID|resend ID|retry-dead [--destination NAME]`: what an
/// operator needs of the LIS outbox. Changes are written to audit_log as user:$USER.
int run_outbox(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hemalink::cli
