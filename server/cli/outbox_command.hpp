#pragma once

#include "server/cli/command_line.hpp"

namespace hemalink::cli {

/// Adds `hemalink outbox [--db DSN] list|show ID|resend ID|retry-dead [--destination NAME]`: what
/// an operator needs of the LIS outbox. Changes are written to audit_log as user:$USER.
void add_outbox_command(CLI::App& hemalink, CommandActions& actions);

}  // namespace hemalink::cli
