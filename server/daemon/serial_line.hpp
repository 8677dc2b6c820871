#pragma once

#include "server/daemon/reconnecting_transport.hpp"

namespace hemalink::daemon {

/// A serial analyzer: opens its RS-232 device with the configured line settings, runs a session
/// on it, and opens it again with back-off when it fails (a USB adapter unplugged and back).
class SerialLine final : public ReconnectingTransport {
 public:
  using ReconnectingTransport::ReconnectingTransport;

 private:
  asio::awaitable<void> run() override;
  bool open(asio::serial_port& port);
};

}  // namespace hemalink::daemon
