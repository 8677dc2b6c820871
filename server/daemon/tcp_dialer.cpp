#include "server/daemon/tcp_dialer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>

#include "server/daemon/tcp_listener.hpp"

namespace hemalink::daemon {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

asio::awaitable<void> TcpDialer::run() {
  const auto& t = std::get<config::TcpClientTransport>(analyzer_.transport);
  Backoff backoff(t.reconnect_min, t.reconnect_max);
  while (!is_stopped_) {
    const bool connected = co_await dial_once();
    co_await pause(connected ? backoff.after_connection() : backoff.after_failure());
  }
}

// Dials once; when it connects, waits until the connection closes. True if it connected.
asio::awaitable<bool> TcpDialer::dial_once() {
  const auto& t = std::get<config::TcpClientTransport>(analyzer_.transport);
  asio::ip::tcp::resolver resolver(strand_);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(t.host, std::to_string(t.port), kAwait);
  asio::ip::tcp::socket socket(asio::make_strand(io_));
  boost::system::error_code error = resolve_error;
  if (!error) {
    auto [connect_error, endpoint] = co_await asio::async_connect(socket, endpoints, kAwait);
    error = connect_error;
  }
  const auto peer = fmt::format("{}:{}", t.host, t.port);
  if (error) {
    spdlog::warn("{}: cannot connect to {}: {}", analyzer_.name, peer, error.message());
    co_return false;
  }
  if (is_stopped_) {
    co_return false;
  }
  set_analyzer_socket_options(socket, analyzer_.tcp_keepalive);
  spdlog::info("{} {}: connected (we dialed)", analyzer_.name, peer);
  const bool held = co_await hold(std::make_shared<TcpConnection>(
      std::move(socket), session_settings(analyzer_, peer), services_, on_closed()));
  if (!held) {
    spdlog::warn("{}: connected to {} but the daemon's connections are all in use", analyzer_.name,
                 peer);
  }
  co_return held;
}

}  // namespace hemalink::daemon
