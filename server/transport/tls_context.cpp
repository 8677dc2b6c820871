#include "server/transport/tls_context.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace hemalink::transport {
namespace {

namespace ssl = boost::asio::ssl;

template <typename Load>
void load(const std::filesystem::path& file, const char* what, Load load_it) {
  boost::system::error_code ec;
  load_it(file.string(), ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("TLS {} {}: {}", what, file.string(), ec.message()));  // a start-up failure
  }
}

std::shared_ptr<ssl::context> tls12_or_later(ssl::context::method method) {
  auto context = std::make_shared<ssl::context>(method);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  return context;
}

void use_certificate(ssl::context& context, const std::filesystem::path& certificate,
                     const std::filesystem::path& key) {
  load(certificate, "certificate",
       [&](const std::string& f, auto& ec) { context.use_certificate_chain_file(f, ec); });
  load(key, "key", [&](const std::string& f, auto& ec) {
    context.use_private_key_file(f, ssl::context::pem, ec);
  });
}

}  // namespace

std::shared_ptr<ssl::context> server_tls_context(const TlsServer& tls) {
  auto context = tls12_or_later(ssl::context::tls_server);
  use_certificate(*context, tls.certificate, tls.key);
  if (!tls.client_ca.empty()) {
    load(tls.client_ca, "client CA",
         [&](const std::string& f, auto& ec) { context->load_verify_file(f, ec); });
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

std::shared_ptr<ssl::context> client_tls_context(const TlsClient& tls) {
  auto context = tls12_or_later(ssl::context::tls_client);
  if (tls.ca.empty()) {
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec)
      throw std::runtime_error(fmt::format("TLS: the system's CAs: {}", ec.message()));
  } else {
    load(tls.ca, "CA", [&](const std::string& f, auto& ec) { context->load_verify_file(f, ec); });
  }
  context->set_verify_mode(ssl::verify_peer);
  if (!tls.certificate.empty())
    use_certificate(*context, tls.certificate, tls.key);
  return context;
}

}  // namespace hemalink::transport
