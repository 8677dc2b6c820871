#pragma once

#include "server/simulate/lab_day.hpp"
#include "tests/support/daemon_harness.hpp"

namespace hemalink::testing {

/// Plays `day` through the example configuration's daemon as the README's quick start does: the
/// LIS orders every tube on the order feed, then the XN, the CS and the FACS send their tubes
/// (the day starting 24 hours ago); every message must be acknowledged (a test failure
/// otherwise).
void play_lab_day(DaemonHarness& lab, const simulate::LabDay& day);

}  // namespace hemalink::testing
