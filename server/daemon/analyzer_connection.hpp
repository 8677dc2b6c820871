#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "server/daemon/connection_services.hpp"
#include "server/transport/open_connection.hpp"

namespace hemalink::config {
struct AnalyzerConfig;
}

namespace hemalink::daemon {

/// What the daemon opens on each stream an analyzer's transport reaches: an analyzer connection
/// running the analyzer's session (ASTM or HL7), admitted under the registry's caps (the
/// daemon's, and `analyzer_cap` of this analyzer).
transport::OpenConnection<boost::asio::ip::tcp::socket> open_tcp_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services, std::size_t analyzer_cap);
/// As open_tcp_analyzer, over TLS with `tls` (a server's context for a tcp-server analyzer, a
/// client's for a tcp-client one): each socket's handshake first.
transport::OpenConnection<boost::asio::ip::tcp::socket> open_tls_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services, std::size_t analyzer_cap,
    std::shared_ptr<boost::asio::ssl::context> tls);
transport::OpenConnection<boost::asio::serial_port> open_serial_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services);

}  // namespace hemalink::daemon
