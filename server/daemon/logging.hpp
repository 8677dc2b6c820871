#pragma once

#include <string>

namespace hemalink::daemon {

/// Sends spdlog's default logger to stderr at `level` (trace, debug, info, warn, error), as text
/// lines or, with `as_json`, one JSON object per line: {"time", "level", "message"}.
void configure_logging(const std::string& level, bool as_json);

}  // namespace hemalink::daemon
