#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "server/config/daemon_config.hpp"
#include "server/daemon/analyzer_connection.hpp"

namespace hemalink::daemon {

/// A tcp-client analyzer (the analyzer is the TCP server): dials it, runs a session on the
/// connection, and dials again with back-off when it fails or closes.
class TcpDialer {
 public:
  TcpDialer(asio::io_context& io, config::AnalyzerConfig analyzer, ConnectionServices services);

  void start();
  void stop();

 private:
  asio::awaitable<void> dial_loop();
  asio::awaitable<bool> run_connection();

  asio::io_context& io_;
  config::AnalyzerConfig analyzer_;
  ConnectionServices services_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  bool is_stopped_ = false;
};

}  // namespace hemalink::daemon
