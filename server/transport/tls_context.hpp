#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "server/transport/transport_settings.hpp"

namespace hemalink::transport {

/// The OpenSSL context of a TLS server: TLS 1.2 or later, the certificate chain and key of
/// `tls`, and the client CA when one is set (then a peer without a certificate it signed is
/// refused in the handshake). Throws std::runtime_error naming the file and OpenSSL's reason
/// when one cannot be used: a start-up failure.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const TlsServer& tls);

/// The OpenSSL context of a TLS client: TLS 1.2 or later, the peer's certificate verified against
/// `tls.ca` (or the system's CAs), and hemalink's own certificate when one is set. The name
/// checked is set per connection (see through_tls). Throws like server_tls_context.
std::shared_ptr<boost::asio::ssl::context> client_tls_context(const TlsClient& tls);

}  // namespace hemalink::transport
