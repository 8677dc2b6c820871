#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace hemalink::testing {

/// Runs a fresh codec over `input` three ways: whole, one byte at a time, and split in two at
/// every position (every `stride`-th position for large inputs), and expects the same event log
/// each time (Beast's parsegrind). `run` builds a codec, feeds it the given pieces in order,
/// finishes it and returns its event log.
inline std::string expect_same_log_for_every_split(
    std::string_view input,
    const std::function<std::string(const std::vector<std::string_view>&)>& run,
    std::size_t stride = 1) {
  const std::string whole = run({input});
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) {
    bytes.push_back(input.substr(i, 1));
  }
  EXPECT_EQ(run(bytes), whole) << "fed one byte at a time";
  for (std::size_t cut = 1; cut < input.size(); cut += stride) {
    const std::string log = run({input.substr(0, cut), input.substr(cut)});
    EXPECT_EQ(log, whole) << "split at byte " << cut;
    if (log != whole) {
      break;  // one counterexample is enough
    }
  }
  return whole;
}

}  // namespace hemalink::testing
