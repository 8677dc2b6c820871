#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/config/lis_mapping.hpp"
#include "server/lis/lis_config.hpp"
#include "server/lis/lis_counters.hpp"
#include "server/lis/outbox.hpp"

namespace hemalink::transport {
class TcpListener;
class ReconnectingTransport;
}  // namespace hemalink::transport

namespace hemalink::lis {

namespace asio = boost::asio;

struct LisLinkSettings {
  LisDestination destination;
  config::LisMapping mapping;
  std::string dsn;
  /// This process, as outbox.claimed_by names it (host:pid).
  std::string node;
  /// Rows claimed at once; each is still sent alone, one in flight per connection.
  std::size_t claim_batch = 32;
  /// With nothing to send, how often to look anyway (a dead node's rows, a lost notification).
  std::chrono::milliseconds poll{2000};
  /// Told of each row the LIS acknowledged (true) and each that went dead (false), on the
  /// link's thread: for live events.
  std::function<void(const lis::ClaimedRow& row, bool is_delivered)> on_row_settled;
};

/// What a connection to the LIS may be woken by (new rows noticed).
class LisConnectionBase {
 public:
  virtual ~LisConnectionBase() = default;
  virtual void wake() = 0;
  virtual void close() = 0;
};

/// One LIS destination on a thread of its own: its transport (it dials the LIS, listens for it,
/// or opens its serial line), the connection the transport opens (one at a time), and the
/// destination's outbox rows. A LIS connection is strictly one message after another, so its
/// thread may wait for the database (marking a row sent before the next goes) without holding up
/// anything else; the next rows are claimed and built meanwhile on a second thread with a
/// connection of its own.
class LisLink : public std::enable_shared_from_this<LisLink> {
 public:
  explicit LisLink(LisLinkSettings settings);
  ~LisLink();
  LisLink(const LisLink&) = delete;
  LisLink& operator=(const LisLink&) = delete;

  /// Makes the transport, binding its port (tcp-server). Throws std::runtime_error naming the
  /// destination and address when it cannot bind: a start-up failure.
  void bind();
  /// Starts the thread and the transport: it listens, dials or opens its line.
  void start();
  /// Stops the transport and closes the connection (rows in flight are let go, not counted),
  /// and waits for the thread to end (a few seconds at most). From any thread but the link's
  /// own.
  void stop();
  /// New rows were written for this destination: a connection waiting for work looks at once.
  /// From any thread.
  void notice_rows();

  const std::string& name() const { return settings_.destination.name; }
  const LisLinkSettings& settings() const { return settings_; }
  const LisCounters& counters() const { return counters_; }
  LisCounters& counters() { return counters_; }
  /// The port listened on (tcp-server), else 0.
  std::uint16_t port() const;
  bool is_stopping() const { return is_stopping_; }
  /// A connection to the LIS is open now. From any thread.
  bool is_connected();

  /// For the connection: one at a time. False when one is open already.
  bool attach(const std::shared_ptr<LisConnectionBase>& connection);
  void detach(const LisConnectionBase* connection);

  /// Claims and builds the next rows on the claiming thread; resumes on the link's thread.
  asio::awaitable<Result<std::vector<lis::ClaimedRow>, store::StoreError>> claim();
  /// Lets go of rows claimed but not attempted, on the claiming thread.
  asio::awaitable<void> release(std::vector<lis::ClaimedRow> rows);
  /// Marks, on the link's own thread (blocking it, and nothing else). An acknowledged row's mark
  /// is handed to PostgreSQL and settled once the next message has gone (or before any other
  /// mark): see lis::OutboxSender::hand_delivered.
  Result<void, store::StoreError> hand_delivered(const lis::ClaimedRow& row,
                                                 const lis::Delivery& delivery);
  Result<void, store::StoreError> settle_delivered();
  Result<bool, store::StoreError> failed(const lis::ClaimedRow& row, const lis::FailedAttempt& why);
  std::chrono::milliseconds until_next_due();

  /// The back-off before attempt `attempts` + 1 of a row that failed `attempts` times.
  std::chrono::milliseconds backoff_after(int attempts) const;

 private:
  template <typename T, typename Work>
  asio::awaitable<T> on_claiming_thread(Work work);

  LisLinkSettings settings_;
  lis::BuildMessage build_;
  lis::OutboxSender sender_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::thread_pool claiming_{1};
  LisCounters counters_;
  std::unique_ptr<transport::TcpListener> listener_;
  std::unique_ptr<transport::ReconnectingTransport> reaching_;
  std::future<void> ended_;  // the link's thread, running io_
  std::mutex mutex_;
  std::weak_ptr<LisConnectionBase> connection_;
  bool is_stopping_ = false;
};

}  // namespace hemalink::lis
