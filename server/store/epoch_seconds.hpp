#pragma once

#include <chrono>

namespace hemalink::store {

/// Time points as PostgreSQL's `extract(epoch FROM ...)` and `to_timestamp(...)` take them.
inline double epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

inline std::chrono::system_clock::time_point from_epoch_seconds(double s) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(s)));
}

}  // namespace hemalink::store
