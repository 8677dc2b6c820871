#include "server/daemon/tcp_listener.hpp"

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

namespace hemalink::daemon {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint listen_endpoint(const config::AnalyzerConfig& analyzer) {
  const auto& t = std::get<config::TcpServerTransport>(analyzer.transport);
  boost::system::error_code error;
  auto address = asio::ip::make_address(t.listen_address, error);
  if (error) {
    throw std::runtime_error(fmt::format("analyzer {}: listen address \"{}\": {}", analyzer.name,
                                         t.listen_address, error.message()));
  }
  return {address, t.port};
}

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

void set_analyzer_socket_options(asio::ip::tcp::socket& socket, bool keepalive) {
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

TcpListener::TcpListener(asio::io_context& io, config::AnalyzerConfig analyzer,
                         ConnectionServices services)
    : io_(io),
      analyzer_(std::move(analyzer)),
      services_(std::move(services)),
      allowed_(*transport::PeerAllowList::parse(analyzer_.allowed_peers)),
      acceptor_(asio::make_strand(io)) {
  const auto endpoint = listen_endpoint(analyzer_);
  boost::system::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error)
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error)
    acceptor_.bind(endpoint, error);
  if (!error)
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw std::runtime_error(fmt::format("analyzer {}: cannot listen on {}: {}", analyzer_.name,
                                         describe(endpoint), error.message()));
  }
  port_ = acceptor_.local_endpoint().port();
}

void TcpListener::start() {
  spdlog::info("{}: listening on {}:{} ({} {}, driver {})", analyzer_.name,
               acceptor_.local_endpoint().address().to_string(), port_,
               config::to_string(analyzer_.protocol),
               analyzer_.protocol == core::WireProtocol::Astm
                   ? (analyzer_.link == config::AstmLink::E1381 ? "E1381" : "bare")
                   : "MLLP",
               analyzer_.driver);
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
      spdlog::warn("{}: accept failed: {}", analyzer_.name, error.message());
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
    spdlog::warn("{}: connection from {} refused: not in allowed_peers", analyzer_.name, peer);
    return;
  }
  set_analyzer_socket_options(socket, analyzer_.tcp_keepalive);
  auto connection = std::make_shared<TcpConnection>(std::move(socket),
                                                    session_settings(analyzer_, peer), services_);
  if (!services_.registry.add(connection, analyzer_.name, analyzer_.max_connections)) {
    if (refused_++ % 100 == 0) {
      spdlog::warn(
          "{}: connection from {} refused: the analyzer's {} or the daemon's connections "
          "are all in use ({} refused so far)",
          analyzer_.name, peer, analyzer_.max_connections, refused_);
    }
    return;
  }
  spdlog::info("{} {}: connected", analyzer_.name, peer);
  connection->start();
}

}  // namespace hemalink::daemon
