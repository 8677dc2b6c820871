#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "server/transport/open_connection.hpp"
#include "server/transport/peer_allow_list.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::transport {

namespace asio = boost::asio;

/// A tcp-server transport: accepts connections, refuses (closes and logs) peers not in the allow
/// list and connections `open` refuses (caps), and opens a connection on each of the others.
class TcpListener {
 public:
  /// Binds the listening socket. `name` is what the logs call the peer (the analyzer's or the
  /// LIS's configured name), `served` what the log line says is served there (protocol, driver).
  /// Throws std::runtime_error naming it and the address when it cannot bind: a start-up
  /// failure.
  TcpListener(asio::io_context& io, std::string name, std::string served,
              const TcpServerTransport& where, PeerAllowList allowed, bool keepalive,
              OpenConnection<asio::ip::tcp::socket> open);

  void start();
  /// Stops accepting; connections already open are not this listener's.
  void stop();
  /// The port bound (the configured one, or the one the system chose for port 0).
  std::uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> accept_loop();
  void admit(asio::ip::tcp::socket socket);

  asio::io_context& io_;
  std::string name_;
  std::string served_;
  PeerAllowList allowed_;
  bool keepalive_;
  OpenConnection<asio::ip::tcp::socket> open_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::uint64_t refused_ = 0;
};

/// TCP options of a peer's socket: no Nagle delay on small acknowledgements, and keep-alive
/// probes (after 60 s idle, every 10 s, 5 probes) so a peer that vanished is noticed.
void set_socket_options(asio::ip::tcp::socket& socket, bool keepalive);

}  // namespace hemalink::transport
