#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/config/analyzer_config.hpp"
#include "server/daemon/connection_services.hpp"
#include "server/lis/lis_config.hpp"
#include "server/transport/file_drop.hpp"
#include "server/transport/serial_line.hpp"
#include "server/transport/tcp_dialer.hpp"
#include "server/transport/tcp_listener.hpp"

namespace hemalink::daemon {

/// The transports of the analyzers and of the LISs' order feeds: a listener, dialer, serial line
/// or file drop each, on the daemon's pool. Added (and so bound) when the daemon starts, started
/// when it runs, stopped first when it stops (no new connection; the live ones drain in the
/// registry).
class AnalyzerTransports {
 public:
  explicit AnalyzerTransports(boost::asio::io_context& io) : io_(io) {}

  /// The transport of `analyzer`, its connections served with `services`. Throws
  /// std::runtime_error naming the analyzer when it cannot bind or open: a start-up failure.
  void add(const config::AnalyzerConfig& analyzer, ConnectionServices services);
  /// The transport of `lis`'s order feed: a connection like an analyzer's, whose messages go to
  /// `services.messages` (the LIS's order intake) instead of the store.
  void add_order_feed(const lis::LisDestination& lis, ConnectionServices services);

  void start();
  void stop();

  /// The port a tcp-server analyzer listens on (0 when it has none).
  std::uint16_t port_of(std::string_view analyzer) const;
  /// The port a LIS's order feed listens on (tcp-server), else 0.
  std::uint16_t order_feed_port(std::string_view lis) const;

 private:
  /// Opens the transport of `analyzer`; the index of its listener when it is a tcp-server.
  std::optional<std::size_t> open(const config::AnalyzerConfig& analyzer,
                                  ConnectionServices services);
  template <typename F>
  void each(F f);

  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<transport::TcpListener>> listeners_;
  std::vector<std::unique_ptr<transport::TcpDialer>> dialers_;
  std::vector<std::unique_ptr<transport::SerialLine>> serial_lines_;
  std::vector<std::unique_ptr<transport::FileDrop>> file_drops_;
  std::map<std::string, std::size_t, std::less<>> analyzer_listeners_;    ///< name -> listeners_[i]
  std::map<std::string, std::size_t, std::less<>> order_feed_listeners_;  ///< LIS -> listeners_[i]
};

}  // namespace hemalink::daemon
