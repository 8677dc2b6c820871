#include "tests/support/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <fstream>

#include <algorithm>
#include <cctype>

namespace hemalink::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One request on a connected stream (plain or TLS), and its answer.
template <typename Stream>
HttpReply exchange(Stream& stream, const std::string& method, const std::string& target,
                   const std::string& token, const std::string& body) {
  beast::error_code ec;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty())
    req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty())
    req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec)
    return {};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, ec);
  if (ec)
    return {};
  HttpReply reply;
  const auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = res.body();
  return reply;
}

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& token, const std::string& body) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec)
    return {};
  return exchange(stream, method, target, token, body);
}

namespace {

asio::ssl::context client_context(const TlsClientFiles& tls) {
  namespace ssl = asio::ssl;
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(tls.ca);
  context.set_verify_mode(ssl::verify_peer);
  if (!tls.certificate.empty()) {
    context.use_certificate_chain_file(tls.certificate);
    context.use_private_key_file(tls.key, ssl::context::pem);
  }
  return context;
}

// Connected and through the handshake, or false; the server's certificate must name 127.0.0.1
// (OpenSSL checks it in the handshake).
bool connect_tls(beast::ssl_stream<beast::tcp_stream>& stream, std::uint16_t port) {
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), "127.0.0.1");
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                          ec);
  if (!ec)
    stream.handshake(asio::ssl::stream_base::client, ec);
  return !ec;
}

}  // namespace

HttpReply https_request(std::uint16_t port, const TlsClientFiles& tls, const std::string& method,
                        const std::string& target, const std::string& token) {
  auto context = client_context(tls);
  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  if (!connect_tls(stream, port))
    return {};
  return exchange(stream, method, target, token, "");
}

std::optional<std::string> tls_exchange(std::uint16_t port, const TlsClientFiles& tls,
                                        std::string_view bytes, std::string_view until) {
  TlsSocket socket(port, tls);
  if (!socket.is_open() || !socket.send(bytes))
    return std::nullopt;
  return socket.receive_until(until);
}

struct TlsSocket::Parts {
  explicit Parts(const TlsClientFiles& tls) : context(client_context(tls)), stream(io, context) {}
  asio::ssl::context context;
  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream;
  bool is_open = false;
};

TlsSocket::TlsSocket(std::uint16_t port, const TlsClientFiles& tls)
    : parts_(std::make_unique<Parts>(tls)) {
  parts_->is_open = connect_tls(parts_->stream, port);
}

TlsSocket::~TlsSocket() = default;

bool TlsSocket::is_open() const {
  return parts_->is_open;
}

bool TlsSocket::send(std::string_view bytes) {
  beast::error_code ec;
  asio::write(parts_->stream, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

std::optional<std::string> TlsSocket::receive_until(std::string_view until) {
  auto& p = *parts_;
  beast::get_lowest_layer(p.stream).expires_after(std::chrono::seconds(10));
  std::string got;
  char chunk[4096];
  beast::error_code ec;
  while (!ec && !std::string_view(got).ends_with(until)) {
    std::size_t n = 0;
    p.stream.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t read) {
      ec = e;
      n = read;
    });
    p.io.restart();
    p.io.run();
    got.append(chunk, n);
  }
  if (!std::string_view(got).ends_with(until))
    return std::nullopt;
  return got;
}

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

bool make_test_pki(const std::string& dir) {
  const auto run = [&](const std::string& command) {
    return std::system(("cd '" + dir + "' && " + command + " >/dev/null 2>&1").c_str()) == 0;
  };
  const auto signed_by = [&](const std::string& name, const std::string& subject,
                             const std::string& ca, const std::string& extensions) {
    return run("openssl req -newkey rsa:2048 -nodes -keyout " + name +
               ".key -subj '/CN=" + subject + "' -out " + name + ".csr") &&
           write_file(dir + "/" + name + ".ext", extensions) &&
           run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
               ".key -CAcreateserial -days 2 -sha256 -extfile " + name + ".ext -out " + name +
               ".pem");
  };
  const auto ca = [&](const std::string& name) {
    return run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=" + name +
               " test CA' -keyout " + name + ".key -out " + name + ".pem");
  };
  return ca("ca") && ca("other-ca") &&
         signed_by("server", "127.0.0.1", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\n") &&
         signed_by("client", "lab-client", "ca", "extendedKeyUsage=clientAuth\n") &&
         signed_by("stranger", "stranger", "other-ca", "extendedKeyUsage=clientAuth\n");
}

TestPki::TestPki(const std::string& purpose)
    : dir_(purpose), is_made_(make_test_pki(dir_.path().string())) {}

TlsClientFiles TestPki::client(const std::string& name) const {
  if (name.empty())
    return {(dir_ / "ca.pem").string(), "", ""};
  return {(dir_ / "ca.pem").string(), (dir_ / (name + ".pem")).string(),
          (dir_ / (name + ".key")).string()};
}

std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout, bool& closed) {
  asio::io_context io;
  tcp::socket socket(io);
  closed = false;
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec)
    return {};
  asio::write(socket, asio::buffer(bytes.data(), bytes.size()), ec);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char chunk[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{socket.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 1))) <= 0)
      continue;
    const auto n = socket.read_some(asio::buffer(chunk), ec);
    out.append(chunk, n);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      closed = true;
      break;
    }
    if (ec)
      break;
  }
  return out;
}

struct EventSocket::Parts {
  asio::io_context io;
  beast::websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
};

EventSocket::EventSocket(std::uint16_t port, const std::string& target, const std::string& token,
                         bool token_in_query, int receive_buffer)
    : parts_(std::make_unique<Parts>()) {
  auto& lowest = beast::get_lowest_layer(parts_->ws);
  beast::error_code ec;
  if (receive_buffer > 0) {
    lowest.socket().open(tcp::v4(), ec);
    lowest.socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
  }
  lowest.expires_after(std::chrono::seconds(10));
  lowest.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec)
    return;
  std::string path = target;
  if (token_in_query && !token.empty())
    path +=
        (path.find('?') == std::string::npos ? "?" : "&") + std::string("access_token=") + token;
  else if (!token.empty())
    parts_->ws.set_option(
        beast::websocket::stream_base::decorator([token](beast::websocket::request_type& req) {
          req.set(http::field::authorization, "Bearer " + token);
        }));
  beast::websocket::response_type res;
  parts_->ws.handshake(res, "127.0.0.1", path, ec);
  status_ = static_cast<int>(res.result_int());
  lowest.expires_never();
}

EventSocket::~EventSocket() = default;

std::optional<nlohmann::json> EventSocket::next(std::chrono::milliseconds limit) {
  if (is_closed_ || status_ != 101)
    return std::nullopt;
  std::optional<beast::error_code> done;
  parts_->ws.async_read(parts_->buffer, [&](beast::error_code ec, std::size_t) { done = ec; });
  parts_->io.restart();
  parts_->io.run_for(limit);
  if (!done) {
    beast::get_lowest_layer(parts_->ws).close();  // this client gives up: the test goes on
    parts_->io.restart();
    parts_->io.run_for(std::chrono::seconds(1));
    is_closed_ = true;
    return std::nullopt;
  }
  if (*done) {
    is_closed_ = true;
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(parts_->buffer.data());
  parts_->buffer.consume(parts_->buffer.size());
  return nlohmann::json::parse(text);
}

bool EventSocket::send(const std::string& text) {
  if (is_closed_ || status_ != 101)
    return false;
  beast::error_code ec;
  parts_->ws.text(true);
  parts_->ws.write(asio::buffer(text), ec);
  return !ec;
}

void EventSocket::close() {
  if (is_closed_ || status_ != 101)
    return;
  beast::error_code ec;
  parts_->ws.close(beast::websocket::close_code::going_away, ec);
  is_closed_ = true;
}

std::optional<nlohmann::json> EventSocket::next_of(const std::string& type,
                                                   std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!event)
      return std::nullopt;
    if ((*event)["type"] == type)
      return event;
  }
  return std::nullopt;
}

}  // namespace hemalink::testing
