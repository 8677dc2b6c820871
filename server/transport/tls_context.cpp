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

}  // namespace

std::shared_ptr<ssl::context> server_tls_context(const TlsServer& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  load(tls.certificate, "certificate",
       [&](const std::string& f, auto& ec) { context->use_certificate_chain_file(f, ec); });
  load(tls.key, "key", [&](const std::string& f, auto& ec) {
    context->use_private_key_file(f, ssl::context::pem, ec);
  });
  if (!tls.client_ca.empty()) {
    load(tls.client_ca, "client CA",
         [&](const std::string& f, auto& ec) { context->load_verify_file(f, ec); });
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

}  // namespace hemalink::transport
