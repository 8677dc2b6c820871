#pragma once

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "server/config/daemon_config.hpp"
#include "server/daemon/analyzer_connection.hpp"

namespace hemalink::daemon {

/// The wait before the next attempt to reach an analyzer (dial it, open its port): doubles after
/// each failure up to `max`, back to `min` once a connection has been made.
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

/// A transport that reaches out to its analyzer (tcp-client, serial) and does so again, with
/// back-off, whenever the connection fails or closes. `run` is the loop, on the strand.
class ReconnectingTransport {
 public:
  ReconnectingTransport(asio::io_context& io, config::AnalyzerConfig analyzer,
                        ConnectionServices services)
      : io_(io),
        analyzer_(std::move(analyzer)),
        services_(std::move(services)),
        strand_(asio::make_strand(io)),
        wait_(strand_) {}
  virtual ~ReconnectingTransport() = default;

  void start() { asio::co_spawn(strand_, run(), asio::detached); }
  void stop() {
    asio::post(strand_, [this] {
      is_stopped_ = true;
      wait_.cancel();
    });
  }

 protected:
  virtual asio::awaitable<void> run() = 0;

  /// Runs `connection` until it closes. False, at once, when the connection caps refuse it.
  template <typename Connection>
  asio::awaitable<bool> hold(std::shared_ptr<Connection> connection) {
    if (!services_.registry.add(connection, analyzer_.name, 1)) {
      co_return false;
    }
    wait_.expires_at(asio::steady_timer::time_point::max());
    connection->start();
    co_await wait_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return true;
  }

  /// What a connection of this transport calls when it closes: ends hold().
  std::function<void()> on_closed() {
    return [this] { asio::post(strand_, [this] { wait_.cancel(); }); };
  }

  asio::awaitable<void> pause(std::chrono::milliseconds delay) {
    if (is_stopped_) {
      co_return;
    }
    wait_.expires_after(delay);
    co_await wait_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  asio::io_context& io_;
  config::AnalyzerConfig analyzer_;
  ConnectionServices services_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  bool is_stopped_ = false;
};

}  // namespace hemalink::daemon
