#include "server/transport/tls_handshake.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hemalink::transport {
namespace {

namespace asio = boost::asio;

// SNI and the name OpenSSL checks in the certificate while verifying the chain.
void expect_server_name(TlsStream& stream, const std::string& name) {
  if (name.empty())
    return;
  SSL* ssl = stream.native_handle();
  boost::system::error_code not_an_address;
  asio::ip::make_address(name, not_an_address);
  if (!not_an_address) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    return;
  }
  SSL_set_tlsext_host_name(ssl, name.c_str());
  SSL_set1_host(ssl, name.c_str());
}

// OpenSSL's own words on a failed verification ("hostname mismatch", "certificate has expired"),
// which the handshake's error code alone does not carry.
std::string why_failed(TlsStream& stream, const boost::system::error_code& error) {
  const long verified = SSL_get_verify_result(stream.native_handle());
  if (verified == X509_V_OK)
    return error.message();
  return fmt::format("{} ({})", error.message(), X509_verify_cert_error_string(verified));
}

}  // namespace

OpenConnection<asio::ip::tcp::socket> through_tls(OpenConnection<TlsStream> open,
                                                  std::shared_ptr<asio::ssl::context> context,
                                                  TlsHandshake handshake) {
  return [open = std::move(open), context, handshake](asio::ip::tcp::socket socket,
                                                      const std::string& peer,
                                                      std::function<void()> on_closed) {
    auto stream = std::make_shared<TlsStream>(std::move(socket), *context);
    if (handshake.role == asio::ssl::stream_base::client)
      expect_server_name(*stream, handshake.server_name);
    auto timer = std::make_shared<asio::steady_timer>(stream->get_executor(), handshake.deadline);
    timer->async_wait([stream](boost::system::error_code e) {
      if (!e) {
        boost::system::error_code ignored;
        stream->lowest_layer().close(ignored);
      }
    });
    stream->async_handshake(handshake.role, [stream, timer, open, peer, handshake,
                                             on_closed](boost::system::error_code e) {
      timer->cancel();
      if (e) {
        spdlog::warn("{} {}: TLS handshake failed: {}", handshake.name, peer,
                     why_failed(*stream, e));
      } else if (open(std::move(*stream), peer, on_closed)) {
        return;
      } else {
        spdlog::warn(
            "{} {}: connection refused after the TLS handshake: no connection may "
            "be opened now",
            handshake.name, peer);
      }
      if (on_closed)
        on_closed();
    });
    return true;
  };
}

}  // namespace hemalink::transport
