#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "server/transport/reconnecting_transport.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::transport {

/// A tcp-client transport (the peer is the TCP server): dials it, opens a connection on the
/// socket, and dials again with back-off when that fails or closes.
class TcpDialer final : public ReconnectingTransport {
 public:
  TcpDialer(asio::io_context& io, std::string name, TcpClientTransport where, bool keepalive,
            OpenConnection<asio::ip::tcp::socket> open);

 private:
  asio::awaitable<void> run() override;
  asio::awaitable<bool> dial_once();

  TcpClientTransport where_;
  bool keepalive_;
  OpenConnection<asio::ip::tcp::socket> open_;
};

}  // namespace hemalink::transport
