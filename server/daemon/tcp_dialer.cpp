#include "server/daemon/tcp_dialer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/daemon/redial.hpp"
#include "server/daemon/tcp_listener.hpp"

namespace hemalink::daemon {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

TcpDialer::TcpDialer(asio::io_context& io, config::AnalyzerConfig analyzer,
                     ConnectionServices services)
    : io_(io),
      analyzer_(std::move(analyzer)),
      services_(std::move(services)),
      strand_(asio::make_strand(io)),
      wait_(strand_) {}

void TcpDialer::start() {
  asio::co_spawn(strand_, dial_loop(), asio::detached);
}

void TcpDialer::stop() {
  asio::post(strand_, [this] {
    is_stopped_ = true;
    wait_.cancel();
  });
}

asio::awaitable<void> TcpDialer::dial_loop() {
  const auto& t = std::get<config::TcpClientTransport>(analyzer_.transport);
  Backoff backoff(t.reconnect_min, t.reconnect_max);
  while (!is_stopped_) {
    const bool connected = co_await run_connection();
    if (is_stopped_) {
      break;
    }
    const auto delay = connected ? backoff.after_connection() : backoff.after_failure();
    wait_.expires_after(delay);
    co_await wait_.async_wait(kAwait);
  }
}

// Dials once; when it connects, waits until the connection closes. True if it connected.
asio::awaitable<bool> TcpDialer::run_connection() {
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
  // The connection's close reaches this loop through the wait timer, on this strand.
  wait_.expires_at(asio::steady_timer::time_point::max());
  auto connection = std::make_shared<TcpConnection>(
      std::move(socket), session_settings(analyzer_, peer), services_,
      [this] { asio::post(strand_, [this] { wait_.cancel(); }); });
  if (!services_.registry.add(connection, analyzer_.name, 1)) {
    spdlog::warn("{}: connected to {} but the daemon's connections are all in use", analyzer_.name,
                 peer);
    co_return false;
  }
  spdlog::info("{} {}: connected (we dialed)", analyzer_.name, peer);
  connection->start();
  co_await wait_.async_wait(kAwait);
  co_return true;
}

}  // namespace hemalink::daemon
