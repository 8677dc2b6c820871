#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "server/config/daemon_config.hpp"
#include "server/daemon/analyzer_connection.hpp"

namespace hemalink::daemon {

/// A serial analyzer: opens its RS-232 device with the configured line settings, runs a session
/// on it, and opens it again with back-off when it fails (a USB adapter unplugged and back).
class SerialLine {
 public:
  SerialLine(asio::io_context& io, config::AnalyzerConfig analyzer, ConnectionServices services);

  void start();
  void stop();

 private:
  asio::awaitable<void> open_loop();
  bool open(asio::serial_port& port);

  asio::io_context& io_;
  config::AnalyzerConfig analyzer_;
  ConnectionServices services_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  bool is_stopped_ = false;
};

}  // namespace hemalink::daemon
