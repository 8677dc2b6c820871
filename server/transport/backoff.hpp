#pragma once

#include <algorithm>
#include <chrono>

namespace hemalink::transport {

/// The wait before the next attempt to reach a peer (dial it, open its port): doubles after each
/// failure up to `max`, back to `min` once a connection has been made.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(min), max_(max), next_(min) {}

  std::chrono::milliseconds after_failure() {
    const auto wait = next_;
    next_ = std::min(next_ * 2, max_);
    return wait;
  }
  std::chrono::milliseconds after_connection() {
    next_ = min_;
    return min_;
  }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace hemalink::transport
