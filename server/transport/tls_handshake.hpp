#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "server/transport/open_connection.hpp"

namespace hemalink::transport {

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

/// How a TCP connection's TLS handshake goes: hemalink's role in it, the time it may take, the
/// name the logs give the peer, and, as a client, the name the server's certificate must be
/// issued to (an IP address is matched as an address; empty: no name is checked).
struct TlsHandshake {
  boost::asio::ssl::stream_base::handshake_type role = boost::asio::ssl::stream_base::server;
  std::chrono::milliseconds deadline{10000};
  std::string name;
  std::string server_name;
};

/// What a TCP transport does with each socket when its peer speaks TLS: the handshake first,
/// within its deadline, then `open` on the TLS stream as on a plain one. A handshake that fails
/// (no certificate the CA signed, the wrong name, plain bytes, too slow) is logged with OpenSSL's
/// reason and the socket closed; so is a stream `open` refuses.
OpenConnection<boost::asio::ip::tcp::socket> through_tls(
    OpenConnection<TlsStream> open, std::shared_ptr<boost::asio::ssl::context> context,
    TlsHandshake handshake);

}  // namespace hemalink::transport
