#pragma once

#include <boost/asio/serial_port.hpp>

#include "server/transport/reconnecting_transport.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::transport {

/// A serial transport: opens its RS-232 device with the configured line settings, opens a
/// connection on it, and opens it again with back-off when that fails (a USB adapter unplugged
/// and back).
class SerialLine final : public ReconnectingTransport {
 public:
  SerialLine(asio::io_context& io, std::string name, SerialTransport line,
             OpenConnection<asio::serial_port> open);

 private:
  asio::awaitable<void> run() override;
  bool open(asio::serial_port& port);

  SerialTransport line_;
  OpenConnection<asio::serial_port> open_;
};

}  // namespace hemalink::transport
