#pragma once

#include "server/simulate/lab_day.hpp"
#include "tests/support/daemon_harness.hpp"

namespace hemalink::testing {

/// Plays `day` through the example configuration's daemon as the README's quick start does: the
/// LIS orders every tube on the order feed, then the XN, the CS and the FACS send their tubes
/// (the day starting 24 hours ago); every message must be acknowledged (a test failure
/// otherwise).
void play_lab_day(DaemonHarness& lab, const simulate::LabDay& day);

/// Reviews every held patient result as `day`'s truth file says a technologist would (as
/// user:ana): a tube that needs a person rerun or rejected, every other one released; how many.
long long review_as_the_truth_says(DaemonHarness& lab, const simulate::LabDay& day);

}  // namespace hemalink::testing
