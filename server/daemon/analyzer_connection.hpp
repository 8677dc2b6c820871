#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "server/daemon/connection_registry.hpp"
#include "server/daemon/session_settings.hpp"
#include "server/session/astm_session.hpp"
#include "server/session/hl7_session.hpp"
#include "server/store/store.hpp"

namespace hemalink::daemon {

namespace asio = boost::asio;

/// What every connection of the daemon shares.
struct ConnectionServices {
  store::Store& store;
  std::shared_ptr<const ingest::CurrentInterpreter> interpreter;
  ConnectionRegistry& registry;
};

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

  // Each holds the connection alive while it runs.
  asio::awaitable<void> read_loop(Self self);
  asio::awaitable<void> watch_idle(Self self);
  void feed(ByteView bytes);
  void start_write();
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
  std::array<asio::steady_timer, 2> link_timers_;
  std::array<std::uint64_t, 2> timer_generations_{0, 0};
  asio::steady_timer idle_timer_;
  Clock::time_point last_activity_;
  std::string outgoing_;
  std::string writing_;
  std::size_t in_flight_ = 0;
  bool is_reading_ = false;
  bool is_writing_ = false;
  bool is_draining_ = false;
  bool is_finished_ = false;
  bool is_closed_ = false;
};

using TcpConnection = AnalyzerConnection<asio::ip::tcp::socket>;
using SerialConnection = AnalyzerConnection<asio::serial_port>;

extern template class AnalyzerConnection<asio::ip::tcp::socket>;
extern template class AnalyzerConnection<asio::serial_port>;

}  // namespace hemalink::daemon
