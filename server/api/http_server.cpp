#include "server/api/http_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <charconv>
#include <map>
#include <mutex>

#include "server/api/api_error.hpp"
#include "server/api/lab_routes.hpp"
#include "server/api/presence_board.hpp"
#include "server/transport/tcp_listener.hpp"
#include "server/transport/tls_context.hpp"

namespace hemalink::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr unsigned kRouteThreads = 4;
// A client that keeps sending what is not a presence is logged this often, then no more.
constexpr int kLoggedBadMessages = 3;

transport::TcpServerTransport listen_address(const std::string& listen) {
  const auto colon = listen.rfind(':');
  auto host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  return {host, static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1))), std::nullopt};
}

// On every answer, API and page alike: nothing is cached (patients' results), the page runs only
// its own files (no inline script, no other origin), and nobody may frame it.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

void set_common_headers(http::response<http::string_body>& res, const std::string& content_type) {
  res.set(http::field::server, "hemalink");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

std::string next_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  static const auto prefix =
      fmt::format("{:x}", std::chrono::steady_clock::now().time_since_epoch().count() & 0xffffff);
  return fmt::format("{}-{}", prefix, ++counter);
}

// How a request that could not be read failed.
Errc refusal_of(beast::error_code ec) {
  if (ec == http::error::body_limit)
    return Errc::PayloadTooLarge;
  if (ec == http::error::header_limit)
    return Errc::HeaderTooLarge;
  return Errc::BadRequest;
}

std::string_view target_of(const http::request<http::string_body>& req) {
  return {req.target().data(), req.target().size()};
}

// The parameters of the request's query; BadRequest when one cannot be decoded.
Result<std::map<std::string, std::string, std::less<>>, Error> query_of(
    const http::request<http::string_body>& req) {
  const auto target = target_of(req);
  const auto q = target.find('?');
  if (q == std::string_view::npos)
    return std::map<std::string, std::string, std::less<>>{};
  return parse_query(target.substr(q + 1));
}

// The request as the routes see it, without its query (query_of).
ApiRequest api_request(const http::request<http::string_body>& req) {
  ApiRequest r;
  r.method = std::string(req.method_string());
  const auto target = target_of(req);
  r.path = std::string(target.substr(0, target.find('?')));
  r.authorization = std::string(req[http::field::authorization]);
  r.body = req.body();
  r.request_id = next_request_id();
  return r;
}

}  // namespace

struct HttpServer::Parts : std::enable_shared_from_this<HttpServer::Parts> {
  Parts(asio::io_context& io, const config::HttpConfig& c, std::shared_ptr<const Router> r,
        std::shared_ptr<EventHub> e)
      : config(c),
        router(std::move(r)),
        events(std::move(e)),
        presence(*events),
        tls(c.tls ? transport::server_tls_context(*c.tls) : nullptr),
        listener(
            io, "http", c.tls ? "the HTTP API, TLS" : "the HTTP API", listen_address(c.listen),
            *transport::PeerAllowList::parse({}), true,
            [this](tcp::socket socket, const std::string& peer, std::function<void()> on_closed) {
              return open(std::move(socket), peer, std::move(on_closed));
            }) {}

  bool open(tcp::socket socket, const std::string& peer, std::function<void()> on_closed) {
    if (tls) {
      return admit(std::make_shared<TlsStream>(beast::tcp_stream(std::move(socket)), *tls), peer,
                   std::move(on_closed));
    }
    return admit(std::make_shared<beast::tcp_stream>(std::move(socket)), peer,
                 std::move(on_closed));
  }

  template <typename Stream>
  bool admit(std::shared_ptr<Stream> stream, const std::string& peer,
             std::function<void()> on_closed) {
    {
      std::lock_guard lock(mutex);
      if (is_stopping || closers.size() >= config.max_connections)
        return false;
      closers.emplace(stream.get(), [stream] {
        asio::post(stream->get_executor(), [stream] { beast::get_lowest_layer(*stream).close(); });
      });
    }
    asio::co_spawn(stream->get_executor(), serve(stream, peer),
                   [self = shared_from_this(), stream, on_closed](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         spdlog::error("http: a connection ended on an exception: {}", x.what());
                       }
                     }
                     {
                       std::lock_guard lock(self->mutex);
                       self->closers.erase(stream.get());
                     }
                     if (on_closed)
                       on_closed();
                   });
    return true;
  }

  // TLS first, when the API has it: a peer that does not complete the handshake in time (or
  // without a client certificate the CA signed, when one is asked for) is closed.
  asio::awaitable<bool> handshake(beast::tcp_stream&, const std::string&) { co_return true; }
  asio::awaitable<bool> handshake(TlsStream& stream, const std::string& peer) {
    beast::get_lowest_layer(stream).expires_after(config.request_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwait);
    if (ec) {
      spdlog::info("http {}: TLS handshake failed: {}", peer, ec.message());
      co_return false;
    }
    co_return true;
  }

  template <typename Stream>
  asio::awaitable<void> serve(std::shared_ptr<Stream> stream, std::string peer) {
    if (!co_await handshake(*stream, peer))
      co_return;
    beast::flat_buffer buffer;
    for (;;) {
      if (buffer.size() == 0) {
        beast::get_lowest_layer(*stream).expires_after(config.idle_timeout);
        auto [ec, n] = co_await stream->async_read_some(buffer.prepare(4096), kAwait);
        if (ec)
          co_return;
        buffer.commit(n);
      }
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
      parser.body_limit(config.max_body_bytes);
      beast::get_lowest_layer(*stream).expires_after(config.request_timeout);
      auto [ec, n] = co_await http::async_read_header(*stream, buffer, parser, kAwait);
      if (ec) {
        co_await refuse(*stream, ec, peer);
        co_return;
      }
      const auto& head = parser.get();
      if (head.target().size() > config.max_target_bytes) {
        const Error too_long{
            Errc::UriTooLong,
            fmt::format("the request target is longer than {} bytes", config.max_target_bytes)};
        co_await write_error(*stream, too_long);
        co_return;
      }
      if (beast::iequals(head[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, 11};
        auto [wec, wn] = co_await http::async_write(*stream, go_on, kAwait);
        if (wec)
          co_return;
      }
      if (!parser.is_done()) {
        auto [bec, bn] = co_await http::async_read(*stream, buffer, parser, kAwait);
        if (bec) {
          co_await refuse(*stream, bec, peer);
          co_return;
        }
      }
      auto req = parser.release();
      if (websocket::is_upgrade(req)) {
        co_await upgrade(stream, std::move(req));
        co_return;
      }
      if (!co_await answer(*stream, std::move(req)))
        co_return;
    }
  }

  // Answers one request; false when the connection is to close.
  template <typename Stream>
  asio::awaitable<bool> answer(Stream& stream, http::request<http::string_body> req) {
    const auto started = std::chrono::steady_clock::now();
    auto request = api_request(req);
    auto query = query_of(req);
    ApiResponse response;
    if (!query) {
      response = error_response(query.error());
    } else {
      request.query = std::move(*query);
      response = co_await asio::co_spawn(
          routes_pool,
          [this, &request]() -> asio::awaitable<ApiResponse> { co_return router->answer(request); },
          asio::use_awaitable);
    }
    http::response<http::string_body> res{static_cast<http::status>(response.status),
                                          req.version()};
    set_common_headers(res, response.content_type);
    res.set("X-Request-Id", request.request_id);
    for (const auto& [name, value] : response.headers)
      res.set(name, value);
    res.body() = std::move(response.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(config.request_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, kAwait);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    spdlog::info("http {} {} {} {:.1f} ms {} B request {}", request.method,
                 response.route.empty() ? "(no route)" : response.route, response.status, ms, n,
                 request.request_id);
    co_return !ec && req.keep_alive();
  }

  // The WebSocket of live events, once the caller is known: events as they are published (from
  // `since` when asked), until the client leaves, falls behind, or the server stops.
  template <typename Stream>
  asio::awaitable<void> upgrade(std::shared_ptr<Stream> stream,
                                http::request<http::string_body> req) {
    auto request = api_request(req);
    auto query = query_of(req);
    if (!query || request.path != kEventsPath) {
      const Error none{Errc::NotFound, fmt::format("no WebSocket at {}", request.path)};
      co_await write_error(*stream, none);
      co_return;
    }
    request.query = std::move(*query);
    if (request.authorization.empty() && request.query.count("access_token"))
      request.authorization = "Bearer " + request.query["access_token"];
    auto authorized = router->authorize(request, config::ApiRole::Viewer);
    if (!authorized) {
      const auto refused = refusal(authorized.error());
      co_await write_closing(*stream, refused);
      co_return;
    }
    std::optional<std::uint64_t> since;
    if (auto it = request.query.find("since"); it != request.query.end()) {
      std::uint64_t seq = 0;
      const auto& text = it->second;
      const auto [at, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
      if (text.empty() || error != std::errc() || at != text.data() + text.size()) {
        const Error bad_since{Errc::BadRequest,
                              fmt::format("since: expected a sequence number, got \"{}\"", text)};
        co_await write_error(*stream, bad_since);
        co_return;
      }
      since = seq;
    }
    const auto user = authorized->name;
    const bool may_claim = authorized->role >= config::ApiRole::Technologist;
    auto strand = asio::make_strand(stream->get_executor());
    co_await asio::co_spawn(strand, stream_events(stream, std::move(req), since, user, may_claim),
                            asio::use_awaitable);
  }

  // The socket's session on the presence board, left however the socket ends.
  struct Session {
    Session(PresenceBoard& b, const std::string& user) : board(b), id(b.join(user)) {}
    ~Session() { board.leave(id); }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    PresenceBoard& board;
    std::uint64_t id;
  };

  template <typename Stream>
  asio::awaitable<void> stream_events(std::shared_ptr<Stream> stream,
                                      http::request<http::string_body> req,
                                      std::optional<std::uint64_t> since, std::string user,
                                      bool may_claim) {
    auto ws = std::make_shared<websocket::stream<Stream&>>(*stream);
    beast::get_lowest_layer(*ws).expires_never();
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "hemalink"); }));
    ws->read_message_max(4096);
    // Subscribed before the upgrade is answered: a client has every event published after it
    // learns it is connected.
    const auto executor = co_await asio::this_coro::executor;
    auto wake = std::make_shared<asio::steady_timer>(executor);
    auto subscription =
        events->subscribe([wake, executor] { asio::post(executor, [wake] { wake->cancel(); }); },
                          since, config.max_queued_events);
    const auto session = std::make_shared<Session>(presence, user);
    auto [aec] = co_await ws->async_accept(req, kAwait);
    if (aec)
      co_return;
    spdlog::info("http events: {} subscribed as session {} (from {})", user, session->id,
                 since ? fmt::format("seq {}", *since) : std::string("now"));
    // Who has what open, before the events after it (some of which may repeat it).
    auto [sec, sn] = co_await ws->async_write(asio::buffer(presence.snapshot(session->id)), kAwait);
    if (sec)
      co_return;
    auto closed = std::make_shared<bool>(false);
    asio::co_spawn(
        executor,
        read_until_closed(ws, stream, closed, wake, shared_from_this(), session, user, may_claim),
        asio::detached);
    while (!*closed) {
      if (subscription->fell_behind()) {
        co_await ws->async_write(
            asio::buffer(std::string(
                R"({"type":"dropped","message":"this client fell behind the events: reconnect with since"})")),
            kAwait);
        co_await ws->async_close(
            websocket::close_reason(websocket::close_code::policy_error, "fell behind"), kAwait);
        spdlog::warn("http events: {} fell behind and was dropped", user);
        co_return;
      }
      const auto queued = subscription->take();
      for (const auto& event : queued) {
        auto [wec, n] = co_await ws->async_write(asio::buffer(*event), kAwait);
        if (wec) {
          beast::get_lowest_layer(*ws).close();  // ends the reader's pending read too
          co_return;
        }
      }
      if (queued.empty()) {
        wake->expires_at(asio::steady_timer::time_point::max());
        co_await wake->async_wait(kAwait);
      }
    }
  }

  // What the client says: its presence (technologists and admins), each other message ignored
  // with a log line. The session is kept until both this and the writer are done, and so is the
  // stream the WebSocket reads from (`stream`): the writer may end first.
  template <typename WebSocket>
  static asio::awaitable<void> read_until_closed(
      std::shared_ptr<WebSocket> ws, std::shared_ptr<void> stream, std::shared_ptr<bool> closed,
      std::shared_ptr<asio::steady_timer> wake, std::shared_ptr<Parts> self,
      std::shared_ptr<Session> session, std::string user, bool may_claim) {
    beast::flat_buffer buffer;
    int ignored = 0;
    for (;;) {
      auto [ec, n] = co_await ws->async_read(buffer, kAwait);
      if (ec)
        break;
      const auto text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      auto claim = ws->got_text() ? presence_claim(text)
                                  : Result<PresenceClaim, std::string>(std::string("not text"));
      if (claim && may_claim) {
        self->presence.open(session->id, claim->specimen_row_id);
        continue;
      }
      if (++ignored <= kLoggedBadMessages) {
        spdlog::warn("http events: {} session {}: a message ignored ({} bytes): {}{}", user,
                     session->id, text.size(),
                     claim ? "a viewer does not claim presence" : claim.error(),
                     ignored == kLoggedBadMessages ? " (no more are logged for this session)" : "");
      }
    }
    *closed = true;
    wake->cancel();
    stream.reset();  // held until the last read was over
  }

  template <typename Stream>
  asio::awaitable<void> refuse(Stream& stream, beast::error_code ec, const std::string& peer) {
    if (ec == beast::error::timeout) {
      spdlog::info("http {}: closed: no whole request within the time allowed", peer);
      co_return;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      co_return;
    // A named error, not a braced temporary: GCC 12 destroys an aggregate temporary in a co_await
    // expression twice.
    const Error unreadable{refusal_of(ec),
                           fmt::format("the request could not be read: {}", ec.message())};
    co_await write_error(stream, unreadable);
  }

  template <typename Stream>
  asio::awaitable<void> write_error(Stream& stream, const Error& error) {
    spdlog::info("http refused a request: {} {}", status_of(error.code), error.detail);
    co_await write_closing(stream, error_response(error));
  }

  // Answers with `r` and closes: what follows the request cannot be trusted.
  template <typename Stream>
  asio::awaitable<void> write_closing(Stream& stream, const ApiResponse& r) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
    set_common_headers(res, r.content_type);
    for (const auto& [name, value] : r.headers)
      res.set(name, value);
    res.body() = r.body;
    res.keep_alive(false);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(config.request_timeout);
    co_await http::async_write(stream, res, kAwait);
  }

  void close_all() {
    std::vector<std::function<void()>> open;
    {
      std::lock_guard lock(mutex);
      is_stopping = true;
      for (const auto& [key, close] : closers)
        open.push_back(close);
    }
    for (const auto& close : open)
      close();
  }

  config::HttpConfig config;
  std::shared_ptr<const Router> router;
  std::shared_ptr<EventHub> events;
  PresenceBoard presence;  ///< Who has which specimen open, by events socket.
  std::shared_ptr<asio::ssl::context> tls;
  asio::thread_pool routes_pool{kRouteThreads};
  transport::TcpListener listener;
  std::mutex mutex;
  std::map<const void*, std::function<void()>> closers;  ///< Each open connection's close.
  bool is_stopping = false;
};

HttpServer::HttpServer(asio::io_context& io, const config::HttpConfig& config,
                       std::shared_ptr<const Router> router, std::shared_ptr<EventHub> events)
    : parts_(std::make_shared<Parts>(io, config, std::move(router), std::move(events))) {}

HttpServer::~HttpServer() {
  stop();
  parts_->routes_pool.join();
}

void HttpServer::start() {
  parts_->listener.start();
}

void HttpServer::stop() {
  parts_->listener.stop();
  parts_->close_all();
}

std::uint16_t HttpServer::port() const {
  return parts_->listener.port();
}

}  // namespace hemalink::api
