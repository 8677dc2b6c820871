#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.hpp"

namespace hemalink::testing {

struct HttpReply {
  int status = 0;  ///< 0: no answer (connection refused, closed, or timed out).
  std::map<std::string, std::string> headers;  ///< Names lower-cased.
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// One HTTP/1.1 request to 127.0.0.1:`port` (Beast, on its own connection, 10 s at most), with
/// `Authorization: Bearer token` when a token is given.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& token = "", const std::string& body = "");

/// Files of a TLS client: the CA that signs the server's certificate, and the client's own
/// certificate and key when it presents one.
struct TlsClientFiles {
  std::string ca;
  std::string certificate;
  std::string key;
};

/// http_request over TLS; the server's certificate must be signed by `tls.ca` and name
/// 127.0.0.1. status 0 when the handshake fails.
HttpReply https_request(std::uint16_t port, const TlsClientFiles& tls, const std::string& method,
                        const std::string& target, const std::string& token = "");

/// Raw `bytes` to 127.0.0.1:`port` over TLS, then what comes back until it ends with `until`
/// (an MLLP frame's end, say); nullopt when the handshake fails, the server closes first, or 10 s
/// pass.
std::optional<std::string> tls_exchange(std::uint16_t port, const TlsClientFiles& tls,
                                        std::string_view bytes, std::string_view until);

/// A TLS client of 127.0.0.1:`port` for a protocol's raw bytes, one exchange after another (E1381
/// link steps, a LIS answering MLLP). The server's certificate must be signed by `tls.ca` and
/// name 127.0.0.1.
class TlsSocket {
 public:
  TlsSocket(std::uint16_t port, const TlsClientFiles& tls);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  /// Connected, and through the handshake.
  bool is_open() const;
  bool send(std::string_view bytes);
  /// What arrives until it ends with `until`; nullopt when the connection closes first or 10 s
  /// pass.
  std::optional<std::string> receive_until(std::string_view until);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

/// A CA, a server certificate for 127.0.0.1 and localhost and a client certificate it signed, made
/// with the openssl command in `dir`: ca.pem, server.pem, server.key, client.pem, client.key; and a
/// second CA's client certificate, stranger.pem and stranger.key. False when openssl failed.
bool make_test_pki(const std::string& dir);

/// make_test_pki in a temporary folder of its own, and the client files made there.
class TestPki {
 public:
  explicit TestPki(const std::string& purpose);
  bool is_made() const { return is_made_; }
  std::filesystem::path operator/(const std::string& name) const { return dir_ / name; }
  /// The CA only (no client certificate), or `name`.pem and `name`.key with it.
  TlsClientFiles client(const std::string& name = "") const;

 private:
  TempDir dir_;
  bool is_made_ = false;
};

/// What came back for raw `bytes` sent to 127.0.0.1:`port`, read until the server closed the
/// connection or `timeout` passed; `closed` says which.
std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout, bool& closed);

/// A WebSocket client of 127.0.0.1:`port` (Beast), for the live events.
class EventSocket {
 public:
  /// Connects and asks to upgrade `target`; `token` goes in the Authorization header, or in
  /// the query when `token_in_query`. `receive_buffer`: the socket's receive buffer, when set
  /// (a small one makes a client that does not read fall behind sooner).
  EventSocket(std::uint16_t port, const std::string& target, const std::string& token,
              bool token_in_query = false, int receive_buffer = 0);
  ~EventSocket();
  EventSocket(const EventSocket&) = delete;
  EventSocket& operator=(const EventSocket&) = delete;

  /// 101 when upgraded; else the HTTP status of the refusal (0: no answer).
  int status() const { return status_; }
  /// The next text message, or nullopt when `limit` passed or the server closed.
  std::optional<nlohmann::json> next(std::chrono::milliseconds limit);
  /// The next message of `type` (skipping others), or nullopt.
  std::optional<nlohmann::json> next_of(const std::string& type, std::chrono::milliseconds limit);
  /// True when the server closed the WebSocket (a close frame or the connection).
  bool is_closed() const { return is_closed_; }
  /// Sends `text` as a text message; false when it could not be.
  bool send(const std::string& text);
  /// Closes the WebSocket as a browser leaving the page does.
  void close();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  int status_ = 0;
  bool is_closed_ = false;
};

}  // namespace hemalink::testing
