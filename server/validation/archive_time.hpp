#pragma once

#include <optional>
#include <string_view>

#include "server/validation/archived_specimen.hpp"

namespace hemalink::validation {

/// A moment as a backtest's period is given: `2026-11-30`, `2026-11-30T08:00`,
/// `2026-11-30T08:00:00` or `2026-11-30 08:00:00`, in UTC (a trailing `Z` is allowed); nullopt
/// for anything else or a day that does not exist.
std::optional<TimePoint> archive_time(std::string_view text);

}  // namespace hemalink::validation
