#include "server/transport/tcp_dialer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/transport/backoff.hpp"
#include "server/transport/tcp_listener.hpp"

namespace hemalink::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

TcpDialer::TcpDialer(asio::io_context& io, std::string name, TcpClientTransport where,
                     bool keepalive, OpenConnection<asio::ip::tcp::socket> open)
    : ReconnectingTransport(io, std::move(name)),
      where_(std::move(where)),
      keepalive_(keepalive),
      open_(std::move(open)) {}

asio::awaitable<void> TcpDialer::run() {
  Backoff backoff(where_.reconnect_min, where_.reconnect_max);
  while (!is_stopped_) {
    const bool connected = co_await dial_once();
    co_await pause(connected ? backoff.after_connection() : backoff.after_failure());
  }
}

// Dials once; when it connects, waits until the connection closes. True if it connected.
asio::awaitable<bool> TcpDialer::dial_once() {
  asio::ip::tcp::resolver resolver(strand_);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(where_.host, std::to_string(where_.port), kAwait);
  asio::ip::tcp::socket socket(asio::make_strand(io_));
  boost::system::error_code error = resolve_error;
  if (!error) {
    auto [connect_error, endpoint] = co_await asio::async_connect(socket, endpoints, kAwait);
    error = connect_error;
  }
  const auto peer = fmt::format("{}:{}", where_.host, where_.port);
  if (error) {
    spdlog::warn("{}: cannot connect to {}: {}", name_, peer, error.message());
    co_return false;
  }
  if (is_stopped_) {
    co_return false;
  }
  set_socket_options(socket, keepalive_);
  spdlog::info("{} {}: connected (we dialed)", name_, peer);
  const bool held = co_await hold(open_, std::move(socket), peer);
  if (!held) {
    spdlog::warn("{}: connected to {} but the daemon's connections are all in use", name_, peer);
  }
  co_return held;
}

}  // namespace hemalink::transport
