#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

#include "server/config/daemon_config.hpp"
#include "server/daemon/analyzer_connection.hpp"
#include "server/transport/peer_allow_list.hpp"

namespace hemalink::daemon {

/// A tcp-server analyzer: accepts its connections, refuses (closes and logs) peers not in
/// allowed_peers and connections beyond the daemon's cap, and runs a session on each.
class TcpListener {
 public:
  /// Binds the listening socket. Throws std::runtime_error naming the analyzer and the address
  /// when it cannot: a start-up failure.
  TcpListener(asio::io_context& io, config::AnalyzerConfig analyzer, ConnectionServices services);

  void start();
  /// Stops accepting; connections already open are the registry's.
  void stop();
  /// The port bound (the configured one, or the one the system chose for port 0).
  std::uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> accept_loop();
  void admit(asio::ip::tcp::socket socket);

  asio::io_context& io_;
  config::AnalyzerConfig analyzer_;
  ConnectionServices services_;
  transport::PeerAllowList allowed_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::uint64_t refused_ = 0;
};

/// TCP options of an analyzer socket: no Nagle delay on small acknowledgements, and keep-alive
/// probes (after 60 s idle, every 10 s, 5 probes) so a peer that vanished is noticed.
void set_analyzer_socket_options(asio::ip::tcp::socket& socket, bool keepalive);

}  // namespace hemalink::daemon
