#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "server/transport/open_connection.hpp"

namespace hemalink::transport {

namespace asio = boost::asio;

/// A transport that reaches out to its peer (tcp-client, serial) and does so again, with
/// back-off, whenever the connection fails or closes. `run` is the loop, on the strand.
class ReconnectingTransport {
 public:
  /// `name` is what the logs call the peer (the analyzer's or the LIS's configured name).
  ReconnectingTransport(asio::io_context& io, std::string name);
  virtual ~ReconnectingTransport() = default;

  void start();
  void stop();

 protected:
  virtual asio::awaitable<void> run() = 0;

  /// Opens a connection on `stream` and waits until it closes. False, at once, when `open`
  /// refuses it (a connection cap).
  template <typename Stream>
  asio::awaitable<bool> hold(const OpenConnection<Stream>& open, Stream stream, std::string peer);

  /// Waits `delay`, unless stopped.
  asio::awaitable<void> pause(std::chrono::milliseconds delay);

  asio::io_context& io_;
  std::string name_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  bool is_stopped_ = false;

 private:
  std::function<void()> on_closed();
  asio::awaitable<void> wait_until_closed();
};

template <typename Stream>
asio::awaitable<bool> ReconnectingTransport::hold(const OpenConnection<Stream>& open, Stream stream,
                                                  std::string peer) {
  // Armed before the connection starts: its on_closed() runs on this strand only once this
  // coroutine waits, so a connection that closes at once still ends the wait.
  wait_.expires_at(asio::steady_timer::time_point::max());
  if (!open(std::move(stream), peer, on_closed())) {
    co_return false;
  }
  co_await wait_until_closed();
  co_return true;
}

}  // namespace hemalink::transport
