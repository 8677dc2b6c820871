#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::report {

/// A rule (or fail-safe) that kept a result from being released by its automatic decision.
struct HoldFiring {
  std::string rule_id;  ///< Empty when no rule held it: `reason` is the decision's own.
  std::string reason;
};

/// One patient specimen (every transmission of its ID), judged by the first decision of each of
/// its results: the automatic one, made as the result was stored.
struct SpecimenDecisions {
  std::string specimen_id;
  long long results = 0;
  long long released = 0;
  /// Of each result not released: the firings with action hold, rerun or reject, else the
  /// decision's reason (one entry per result and firing, repeats included).
  std::vector<HoldFiring> holds;
};

/// Results, and how many of them the automatic decision released, of one test or analyzer.
struct ReleaseCount {
  std::string name;
  long long results = 0;
  long long released = 0;
};

/// What the autoverification report reads: every patient specimen of the window, and over the
/// specimens asked for only, the results per test (canonical code) and per analyzer.
struct AutoverificationRecords {
  std::vector<SpecimenDecisions> specimens;
  std::vector<ReleaseCount> by_test;
  std::vector<ReleaseCount> by_analyzer;
};

/// In one statement, on a connection of its own (no statement timeout: a report reads every
/// result of the window). `since`: a time PostgreSQL reads as timestamptz (UTC unless it says
/// otherwise); a specimen is in the window when its first patient transmission came at or after
/// it; none: every specimen. `counted`: the specimen IDs whose results make `by_test` and
/// `by_analyzer` (the truth file's).
Result<AutoverificationRecords, store::StoreError> read_autoverification(
    const std::string& dsn, const std::optional<std::string>& since,
    const std::vector<std::string>& counted);

}  // namespace hemalink::report
