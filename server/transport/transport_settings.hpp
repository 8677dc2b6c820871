#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace hemalink::transport {

/// TLS where hemalink is the server (the HTTP API, analyzer and LIS listeners): its certificate
/// chain and key (PEM), and, when `client_ca` is set, a client certificate signed by that CA is
/// required of every peer. TLS 1.2 or later.
struct TlsServer {
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::filesystem::path client_ca;
};

/// TLS where hemalink dials (a LIS, an analyzer that listens): the CA whose signature the peer's
/// certificate must carry (empty: the system's CAs), the name it must be issued to (empty: the
/// host dialed; an IP address is matched as an address), and hemalink's own certificate and key
/// for a peer that asks for one. TLS 1.2 or later.
struct TlsClient {
  std::filesystem::path ca;
  std::string server_name;
  std::filesystem::path certificate;
  std::filesystem::path key;
};

/// hemalink listens; the peer (an analyzer, a LIS) connects.
struct TcpServerTransport {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 0;
  /// TLS on every connection.
  std::optional<TlsServer> tls;
};

/// The peer listens; hemalink dials it and redials with back-off after a loss.
struct TcpClientTransport {
  std::string host;
  std::uint16_t port = 0;
  std::chrono::milliseconds reconnect_min{1000};
  std::chrono::milliseconds reconnect_max{30000};
  /// TLS on every connection dialed.
  std::optional<TlsClient> tls;

  /// The name the peer's certificate must carry: tls.server_name, else the host dialed.
  const std::string& tls_server_name() const {
    return tls && !tls->server_name.empty() ? tls->server_name : host;
  }
};

enum class Parity { None, Even, Odd };
enum class FlowControl { None, Software, Hardware };

/// An RS-232 line (analyzers without a network port, or labs that keep them serial).
struct SerialTransport {
  std::string device;
  unsigned baud = 9600;
  unsigned data_bits = 8;
  Parity parity = Parity::None;
  unsigned stop_bits = 1;
  FlowControl flow_control = FlowControl::None;
};

/// Analyzers that export files (BD FACS): files dropped in `folder` are read once complete and
/// moved to `done_folder`.
struct FileDropTransport {
  std::filesystem::path folder;
  std::filesystem::path done_folder;
  std::chrono::milliseconds poll_interval{2000};
};

using Transport =
    std::variant<TcpServerTransport, TcpClientTransport, SerialTransport, FileDropTransport>;

}  // namespace hemalink::transport
