#pragma once

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "protocols/astm/e1381_link.hpp"

namespace hemalink::transport {

namespace asio = boost::asio;

/// The two timers an E1381 link asks its session for (astm::LinkTimer), on the connection's
/// executor: arm() re-arms, and a timer re-armed or cancelled never fires its earlier expiry.
/// `expired` runs on the executor, and only while `owner` (the connection) lives.
class LinkTimers {
 public:
  template <typename Executor>
  explicit LinkTimers(const Executor& executor)
      : timers_{asio::steady_timer(executor), asio::steady_timer(executor)} {}

  void arm(astm::LinkTimer timer, std::chrono::milliseconds after, std::weak_ptr<void> owner,
           std::function<void(astm::LinkTimer)> expired) {
    const auto i = index_of(timer);
    const auto generation = ++generations_[i];
    timers_[i].expires_after(after);
    timers_[i].async_wait([this, owner = std::move(owner), expired = std::move(expired), timer, i,
                           generation](boost::system::error_code error) {
      const auto alive = owner.lock();
      if (error || !alive || generations_[i] != generation) {
        return;
      }
      expired(timer);
    });
  }

  void cancel(astm::LinkTimer timer) {
    const auto i = index_of(timer);
    ++generations_[i];
    timers_[i].cancel();
  }

  void cancel_all() {
    cancel(astm::LinkTimer::Phase);
    cancel(astm::LinkTimer::SendBackoff);
  }

 private:
  static std::size_t index_of(astm::LinkTimer timer) {
    return timer == astm::LinkTimer::Phase ? 0 : 1;
  }

  std::array<asio::steady_timer, 2> timers_;
  std::array<std::uint64_t, 2> generations_{0, 0};
};

}  // namespace hemalink::transport
