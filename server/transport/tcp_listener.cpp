#include "server/transport/tcp_listener.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace hemalink::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint listen_endpoint(const std::string& name, const TcpServerTransport& t) {
  boost::system::error_code error;
  auto address = asio::ip::make_address(t.listen_address, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("{}: listen address \"{}\": {}", name, t.listen_address, error.message()));
  }
  return {address, t.port};
}

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

void set_socket_options(asio::ip::tcp::socket& socket, bool keepalive) {
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!keepalive) {
    return;
  }
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
  const int idle_s = 60;
  const int interval_s = 10;
  const int probes = 5;
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

TcpListener::TcpListener(asio::io_context& io, std::string name, std::string served,
                         const TcpServerTransport& where, PeerAllowList allowed, bool keepalive,
                         OpenConnection<asio::ip::tcp::socket> open)
    : io_(io),
      name_(std::move(name)),
      served_(std::move(served)),
      allowed_(std::move(allowed)),
      keepalive_(keepalive),
      open_(std::move(open)),
      acceptor_(asio::make_strand(io)) {
  const auto endpoint = listen_endpoint(name_, where);
  boost::system::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error)
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error)
    acceptor_.bind(endpoint, error);
  if (!error)
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("{}: cannot listen on {}: {}", name_, describe(endpoint), error.message()));
  }
  port_ = acceptor_.local_endpoint().port();
}

void TcpListener::start() {
  spdlog::info("{}: listening on {}:{} ({})", name_,
               acceptor_.local_endpoint().address().to_string(), port_, served_);
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void TcpListener::stop() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> TcpListener::accept_loop() {
  asio::steady_timer pause(acceptor_.get_executor());
  while (acceptor_.is_open()) {
    auto [error, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kAwait);
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) {
      co_return;
    }
    if (error) {
      // Out of descriptors, most likely: let connections close before accepting again.
      spdlog::warn("{}: accept failed: {}", name_, error.message());
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(kAwait);
      continue;
    }
    admit(std::move(socket));
  }
}

void TcpListener::admit(asio::ip::tcp::socket socket) {
  boost::system::error_code error;
  const auto remote = socket.remote_endpoint(error);
  if (error) {
    return;  // gone already
  }
  const auto peer = describe(remote);
  if (!allowed_.allows(remote.address().to_string())) {
    spdlog::warn("{}: connection from {} refused: not in allowed_peers", name_, peer);
    return;
  }
  set_socket_options(socket, keepalive_);
  if (!open_(std::move(socket), peer, {})) {
    if (refused_++ % 100 == 0) {
      spdlog::warn(
          "{}: connection from {} refused: its own or the daemon's connections are all in use "
          "({} refused so far)",
          name_, peer, refused_);
    }
    return;
  }
  spdlog::info("{} {}: connected", name_, peer);
}

}  // namespace hemalink::transport
