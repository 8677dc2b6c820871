#include "server/daemon/analyzer_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/config/analyzer_config.hpp"
#include "server/daemon/session_settings.hpp"
#include "server/session/astm_session.hpp"
#include "server/session/hl7_session.hpp"
#include "server/transport/link_timers.hpp"
#include "server/transport/stream_writer.hpp"
#include "server/transport/tls_handshake.hpp"

namespace hemalink::daemon {
namespace {

namespace asio = boost::asio;

// An analyzer that stops reading while we keep writing gets closed rather than buffered.
constexpr std::size_t kMaxUnreadBytes = 1024 * 1024;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

/// One analyzer on a byte stream (a TCP socket or a serial port, whose executor must be a
/// strand): reads into the analyzer's session, writes what the session writes, runs the ASTM
/// link timers, closes the stream after `idle_timeout` without a byte, and hands store
/// completions back to the strand (through a weak pointer: a connection gone by then has nobody
/// to acknowledge). Writes the analyzer does not read are bounded.
template <typename Stream>
class AnalyzerConnection final : public Connection,
                                 public std::enable_shared_from_this<AnalyzerConnection<Stream>>,
                                 private session::AstmSessionIo {
 public:
  AnalyzerConnection(Stream stream, SessionSettings settings, ConnectionServices services,
                     std::function<void()> on_closed = {});
  ~AnalyzerConnection() override;

  /// Starts reading. The connection keeps itself alive until it closes.
  void start();
  void drain() override;
  void close() override;
  void send_work(session::WorkToSend work) override;

 private:
  using Clock = std::chrono::steady_clock;
  using Self = std::shared_ptr<AnalyzerConnection>;

  session::AstmSessionIo& io() { return *this; }
  // AstmSessionIo
  void write(std::string_view bytes) override;
  void submit(store::StoreRequest request,
              std::function<void(const store::Completion&)> done) override;
  void arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) override;
  void cancel_timer(astm::LinkTimer timer) override;
  void answer_host_query(std::string message,
                         std::function<void(session::HostReply)> done) override;
  void work_acknowledged(std::vector<long long> test_ids) override;

  static constexpr std::size_t kReadBytes = 16 * 1024;

  // Each holds the connection alive while it runs.
  asio::awaitable<std::pair<boost::system::error_code, ByteView>> read_some();
  asio::awaitable<void> read_loop(Self self);
  asio::awaitable<void> watch_idle(Self self);
  void feed(ByteView bytes);
  void written(const boost::system::error_code& error);
  void complete(const std::function<void(const store::Completion&)>& done,
                const store::Completion& completion);
  void finish_session();
  void close_when_done();
  void close_now(const char* why);

  Stream stream_;
  SessionSettings settings_;
  ConnectionServices services_;
  std::function<void()> on_closed_;
  std::unique_ptr<session::Hl7Session> hl7_;
  std::unique_ptr<session::AstmSession> astm_;
  transport::LinkTimers link_timers_;
  asio::steady_timer idle_timer_;
  Clock::time_point last_activity_;
  transport::StreamWriter<Stream> writer_;
  std::unique_ptr<std::array<std::byte, kReadBytes>> serial_buffer_;
  std::size_t in_flight_ = 0;
  bool is_reading_ = false;
  bool is_draining_ = false;
  bool is_finished_ = false;
  bool is_closed_ = false;
};

template <typename Stream>
AnalyzerConnection<Stream>::AnalyzerConnection(Stream stream, SessionSettings settings,
                                               ConnectionServices services,
                                               std::function<void()> on_closed)
    : stream_(std::move(stream)),
      settings_(std::move(settings)),
      services_(std::move(services)),
      on_closed_(std::move(on_closed)),
      link_timers_(stream_.get_executor()),
      idle_timer_(stream_.get_executor()),
      writer_(stream_, [this](const boost::system::error_code& error) { written(error); }) {
  if (settings_.protocol == model::WireProtocol::Hl7) {
    hl7_ = std::make_unique<session::Hl7Session>(settings_.peer, io(), services_.timings);
  } else {
    astm_ = std::make_unique<session::AstmSession>(settings_.peer, settings_.link, io(),
                                                   services_.link_tally, services_.timings);
  }
}

template <typename Stream>
AnalyzerConnection<Stream>::~AnalyzerConnection() {
  services_.registry.remove(this);
}

template <typename Stream>
void AnalyzerConnection<Stream>::start() {
  last_activity_ = Clock::now();
  is_reading_ = true;
  auto self = this->shared_from_this();
  asio::co_spawn(stream_.get_executor(), read_loop(self), asio::detached);
  asio::co_spawn(stream_.get_executor(), watch_idle(self), asio::detached);
}

// An idle TCP connection holds no read buffer: it waits until the socket is readable, then reads
// what is there into its I/O thread's buffer and feeds it to the session before anything else
// runs (10,000 idle analyzers cost no 160 MB of buffers). A serial line reads into its own.
template <typename Stream>
asio::awaitable<std::pair<boost::system::error_code, ByteView>>
AnalyzerConnection<Stream>::read_some() {
  if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
    thread_local std::array<std::byte, kReadBytes> buffer;
    for (;;) {
      auto [waited] = co_await stream_.async_wait(asio::socket_base::wait_read, kAwait);
      if (waited) {
        co_return std::pair{waited, ByteView()};
      }
      boost::system::error_code error;
      stream_.non_blocking(true, error);
      const auto n = stream_.read_some(asio::buffer(buffer), error);
      if (error != asio::error::would_block && error != asio::error::try_again) {
        co_return std::pair{error, ByteView(buffer.data(), n)};
      }
    }
  } else {
    if (!serial_buffer_) {
      serial_buffer_ = std::make_unique<std::array<std::byte, kReadBytes>>();
    }
    auto [error, n] = co_await stream_.async_read_some(asio::buffer(*serial_buffer_), kAwait);
    co_return std::pair{error, ByteView(serial_buffer_->data(), n)};
  }
}

template <typename Stream>
asio::awaitable<void> AnalyzerConnection<Stream>::read_loop(Self) {
  for (;;) {
    auto [error, bytes] = co_await read_some();
    if (!bytes.empty() && !is_closed_) {
      last_activity_ = Clock::now();
      feed(bytes);
    }
    if (error || is_closed_ || is_draining_) {
      if (error && error != asio::error::operation_aborted && error != asio::error::eof) {
        spdlog::info("{} {}: read failed: {}", settings_.peer.analyzer, settings_.peer.address,
                     error.message());
      }
      break;
    }
  }
  is_reading_ = false;
  if (!is_draining_) {
    finish_session();  // the analyzer went away: a message cut short is dropped
  }
  close_when_done();
}

template <typename Stream>
asio::awaitable<void> AnalyzerConnection<Stream>::watch_idle(Self) {
  while (!is_closed_) {
    idle_timer_.expires_at(last_activity_ + settings_.idle_timeout);
    co_await idle_timer_.async_wait(kAwait);
    if (!is_closed_ && Clock::now() >= last_activity_ + settings_.idle_timeout) {
      close_now("idle timeout");
    }
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::feed(ByteView bytes) {
  if (hl7_) {
    hl7_->feed(bytes);
  } else {
    astm_->feed(bytes);
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::write(std::string_view bytes) {
  if (is_closed_) {
    return;
  }
  if (writer_.waiting() + bytes.size() > kMaxUnreadBytes) {
    close_now("the analyzer does not read what we send");
    return;
  }
  writer_.write(bytes, this->shared_from_this());
}

template <typename Stream>
void AnalyzerConnection<Stream>::written(const boost::system::error_code& error) {
  if (error) {
    close_now("write failed");
  } else {
    close_when_done();
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::submit(store::StoreRequest request,
                                        std::function<void(const store::Completion&)> done) {
  ++in_flight_;
  auto weak = this->weak_from_this();
  auto executor = stream_.get_executor();
  auto handler = std::make_shared<std::function<void(const store::Completion&)>>(std::move(done));
  auto back_on_strand = [weak, executor, handler](const store::Completion& completion) {
    asio::post(executor, [weak, handler, completion] {
      if (auto self = weak.lock()) {
        self->complete(*handler, completion);
      }
    });
  };
  if (auto submitted = services_.messages.submit(std::move(request), back_on_strand); !submitted) {
    back_on_strand(store::Completion(submitted.error()));
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::complete(const std::function<void(const store::Completion&)>& done,
                                          const store::Completion& completion) {
  --in_flight_;
  done(completion);
  close_when_done();
}

// The desk answers on its own thread; the reply comes back to the strand, to a connection still
// open (one closed by then has nobody to answer: the analyzer asks again).
template <typename Stream>
void AnalyzerConnection<Stream>::answer_host_query(std::string message,
                                                   std::function<void(session::HostReply)> done) {
  if (services_.host_queries == nullptr) {
    done({});
    return;
  }
  auto weak = this->weak_from_this();
  auto executor = stream_.get_executor();
  auto handler = std::make_shared<std::function<void(session::HostReply)>>(std::move(done));
  const bool asked = services_.host_queries->ask(
      settings_.peer.analyzer, std::move(message),
      [weak, executor, handler](orders::HostAnswer answer) {
        asio::post(executor, [weak, handler,
                              reply = session::HostReply{std::move(answer.records),
                                                         std::move(answer.follow_up),
                                                         std::move(answer.test_ids)}]() mutable {
          if (auto self = weak.lock(); self && !self->is_finished_) {
            (*handler)(std::move(reply));
          }
        });
      });
  if (!asked) {
    (*handler)({});
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::work_acknowledged(std::vector<long long> test_ids) {
  if (services_.order_marks != nullptr) {
    services_.order_marks->mark(settings_.peer.analyzer, std::move(test_ids),
                                records::TestStep::Acknowledged);
  }
  if (services_.downloads != nullptr) {
    services_.downloads->taken(settings_.peer.analyzer);
  }
}

// A connection closed by then sends nothing: the tests stay sent and go again at the next one.
template <typename Stream>
void AnalyzerConnection<Stream>::send_work(session::WorkToSend work) {
  asio::post(stream_.get_executor(),
             [self = this->shared_from_this(), work = std::move(work)]() mutable {
               if (self->is_finished_ || self->is_draining_) {
                 return;
               }
               if (self->hl7_) {
                 self->hl7_->send_work(std::move(work));
               } else {
                 self->astm_->send_work(std::move(work));
               }
             });
}

template <typename Stream>
void AnalyzerConnection<Stream>::arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) {
  link_timers_.arm(timer, after, this->weak_from_this(), [this](astm::LinkTimer expired) {
    if (!is_finished_) {
      astm_->on_timeout(expired);
    }
  });
}

template <typename Stream>
void AnalyzerConnection<Stream>::cancel_timer(astm::LinkTimer timer) {
  link_timers_.cancel(timer);
}

template <typename Stream>
void AnalyzerConnection<Stream>::finish_session() {
  if (is_finished_) {
    return;
  }
  is_finished_ = true;
  if (hl7_) {
    hl7_->finish();
  } else {
    astm_->finish();
  }
}

// Closes once nothing is left to do: not reading, no message waiting for the store, nothing
// left to write.
template <typename Stream>
void AnalyzerConnection<Stream>::close_when_done() {
  if (is_closed_ || is_reading_ || in_flight_ > 0 || writer_.is_writing()) {
    return;
  }
  finish_session();
  if (writer_.is_writing()) {
    return;  // what finishing wrote (an EOT) still goes out, then this runs again
  }
  close_now(is_draining_ ? "shutting down" : "closed by the analyzer");
}

template <typename Stream>
void AnalyzerConnection<Stream>::close_now(const char* why) {
  if (is_closed_) {
    return;
  }
  is_closed_ = true;
  is_finished_ = true;
  boost::system::error_code ignored;
  stream_.lowest_layer().close(ignored);
  link_timers_.cancel_all();
  idle_timer_.cancel();
  services_.registry.remove(this);
  spdlog::info("{} {}: connection closed: {}", settings_.peer.analyzer, settings_.peer.address,
               why);
  if (on_closed_) {
    on_closed_();
  }
}

template <typename Stream>
void AnalyzerConnection<Stream>::drain() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    if (self->is_closed_ || self->is_draining_) {
      return;
    }
    self->is_draining_ = true;
    boost::system::error_code ignored;
    self->stream_.lowest_layer().cancel(
        ignored);  // the read loop ends; acknowledgements still go out
    self->close_when_done();
  });
}

template <typename Stream>
void AnalyzerConnection<Stream>::close() {
  asio::post(stream_.get_executor(),
             [self = this->shared_from_this()] { self->close_now("closed by the daemon"); });
}

namespace {

template <typename Stream>
transport::OpenConnection<Stream> open_analyzer(const config::AnalyzerConfig& analyzer,
                                                ConnectionServices services,
                                                std::size_t analyzer_cap) {
  return [analyzer, services, analyzer_cap](Stream stream, const std::string& peer,
                                            std::function<void()> on_closed) {
    auto connection = std::make_shared<AnalyzerConnection<Stream>>(
        std::move(stream), session_settings(analyzer, peer), services, std::move(on_closed));
    if (!services.registry.add(connection, analyzer.name, analyzer_cap, peer)) {
      return false;
    }
    connection->start();
    return true;
  };
}

}  // namespace

transport::OpenConnection<asio::ip::tcp::socket> open_tcp_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services, std::size_t analyzer_cap) {
  return open_analyzer<asio::ip::tcp::socket>(analyzer, std::move(services), analyzer_cap);
}

transport::OpenConnection<asio::ip::tcp::socket> open_tls_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services, std::size_t analyzer_cap,
    std::shared_ptr<asio::ssl::context> tls) {
  // The handshake within the link's establishment time; as a client (the analyzer listens), its
  // certificate must name the configured server name, else the host dialed.
  transport::TlsHandshake handshake{asio::ssl::stream_base::server,
                                    analyzer.link_timeouts.establishment, analyzer.name, ""};
  if (const auto* t = std::get_if<config::TcpClientTransport>(&analyzer.transport); t && t->tls) {
    handshake.role = asio::ssl::stream_base::client;
    handshake.server_name = t->tls_server_name();
  }
  return transport::through_tls(
      open_analyzer<transport::TlsStream>(analyzer, std::move(services), analyzer_cap),
      std::move(tls), handshake);
}

transport::OpenConnection<asio::serial_port> open_serial_analyzer(
    const config::AnalyzerConfig& analyzer, ConnectionServices services) {
  return open_analyzer<asio::serial_port>(analyzer, std::move(services), 1);
}

}  // namespace hemalink::daemon
