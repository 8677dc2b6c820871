#pragma once

#include <cstdint>
#include <memory>

#include "server/api/event_hub.hpp"
#include "server/api/router.hpp"
#include "server/config/http_config.hpp"

namespace boost::asio {
class io_context;
}

namespace hemalink::api {

/// The HTTP API's listener and connections (Boost.Beast, HTTP/1.1 with keep-alive) on the
/// daemon's io_context. Each request is read within the configured bounds (header, body and
/// target sizes; a request timeout; an idle timeout between requests), answered by the router on
/// one of the server's own threads (routes block on the database; the I/O threads never do),
/// and logged without its query or path values. `GET /api/v1/events` with an upgrade is the
/// WebSocket of `events` (token in the Authorization header or, for browsers, access_token).
class HttpServer {
 public:
  /// Binds `config.listen`. Throws std::runtime_error naming the address when it cannot: a
  /// start-up failure.
  HttpServer(boost::asio::io_context& io, const config::HttpConfig& config,
             std::shared_ptr<const Router> router, std::shared_ptr<EventHub> events);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  /// Stops accepting and closes every connection. From any thread.
  void stop();
  std::uint16_t port() const;

 private:
  struct Parts;
  std::shared_ptr<Parts> parts_;
};

}  // namespace hemalink::api
