#pragma once

#include "server/daemon/reconnecting_transport.hpp"

namespace hemalink::daemon {

/// A tcp-client analyzer (the analyzer is the TCP server): dials it, runs a session on the
/// connection, and dials again with back-off when it fails or closes.
class TcpDialer final : public ReconnectingTransport {
 public:
  using ReconnectingTransport::ReconnectingTransport;

 private:
  asio::awaitable<void> run() override;
  asio::awaitable<bool> dial_once();
};

}  // namespace hemalink::daemon
