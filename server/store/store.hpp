#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/records/lis_routes.hpp"
#include "server/store/errc.hpp"
#include "server/store/message_counts.hpp"
#include "server/store/message_sink.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::store {

/// What a room does after a message's results are committed.
using CommitHook = std::function<void(const StoreRequest&)>;
/// What a room does once a message is completed, whatever the outcome.
using CompletionHook = std::function<void(const records::Receipt&, const Completion&)>;

struct StoreOptions {
  std::string dsn;  ///< libpq connection string or URL.
  /// Database threads, each with its own connection. Messages of one analyzer always go to the
  /// same thread, so they are stored in the order they arrived.
  std::size_t writers = 2;
  /// Group commit: a batch is what waits when the writer is free, up to this many messages. An
  /// idle writer commits a lone message at once; messages that come while a commit is in flight
  /// make the next batch (as PostgreSQL's own WAL group commit does).
  std::size_t max_batch_messages = 256;
  /// When more than zero, a batch also waits this long after its first message for others
  /// (fewer, larger commits, for a slow disk; each message waits that much longer).
  std::chrono::microseconds max_batch_wait{0};
  /// Messages waiting for a writer, in all; beyond it submit() refuses (the session NAKs and the
  /// analyzer sends again later).
  std::size_t max_queued_messages = 20000;
  /// Where the spool files live (spool-N.hls, one per writer).
  std::filesystem::path spool_dir;
  /// While the database is away, how often to try it again.
  std::chrono::milliseconds reconnect_interval{500};
  /// A request not committed this long after submit() is spooled and completed as Spooled, so
  /// the analyzer is acknowledged well inside its own timeout (E1381: 15 s) even when a commit
  /// is slow. Zero: wait for the commit however long it takes.
  std::chrono::milliseconds ack_budget{2000};
  /// Called in turn on a writer thread for every message whose results were committed (not
  /// duplicates, not spooled ones until their replay commits). Each room that acts on a commit
  /// registers its own (the recent results the rules read, the order steps the rules asked for,
  /// the live events). Keep them short.
  std::vector<CommitHook> on_committed;
  /// Called in turn once per message as it completes (stored, spooled, refused, failed), after
  /// its handler, on a store thread: for live events.
  std::vector<CompletionHook> on_completed;
  /// The LIS destinations released results go to (an outbox row per specimen and destination).
  records::LisRoutes lis_routes;
  /// The configured analyzers (name, driver): each writer makes sure of their rows when it
  /// connects, so that no analyzer's first message waits for its row to be made.
  std::vector<std::pair<std::string, std::string>> analyzers;
};

/// What /readyz and the logs say about the store.
struct StoreHealth {
  bool is_degraded = false;             ///< A writer cannot reach the database and is spooling.
  std::size_t spooled_pending = 0;      ///< Receipts in the spools, not yet replayed.
  std::size_t queued = 0;               ///< Requests waiting for a writer.
  std::size_t spooled_over_budget = 0;  ///< Requests spooled because a commit was too slow.
  std::size_t commits_in_doubt = 0;     ///< Commits whose outcome was unknown, then settled.
  std::string last_error;               ///< The last database error a writer saw.
};

class StoreWriter;

/// The durable ingest path. submit() queues a message; a writer thread reads the messages that
/// wait (the ReceiptReader: decode, translate, decide, previous results read once for the batch),
/// stores them in one transaction (group commit) and then calls their handlers; the caller
/// acknowledges the analyzer only then. Nothing of this runs on the caller's thread. When the
/// database is unreachable the writer appends the receipts to its spool and fsyncs before calling
/// the handlers (outcome Spooled), keeps doing so, and once the database answers again replays
/// the spool in order, in batches as large as live ones (reading them again), before it stores
/// anything new. A store started over a non-empty spool (a daemon killed while spooling) replays
/// it first.
class Store final : public MessageSink {
 public:
  /// Opens the spools and starts the writers. Throws std::runtime_error when the spool
  /// directory cannot be used: a start-up failure.
  Store(StoreOptions options, ReceiptReader reader);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Queues `request`; `done` is called exactly once, later, on a store thread. Refuses
  /// (Retryable, `done` never called) when the queue is full or the store is stopping.
  Result<void, StoreError> submit(StoreRequest request, CompletionHandler done) override;

  StoreHealth health() const;
  /// What each analyzer's messages came to since the store started.
  std::map<std::string, AnalyzerMessageCounts> message_counts() const { return counts_.snapshot(); }
  std::map<std::string, std::uint64_t> rule_firings() const { return counts_.rule_firings(); }

  /// Spools and acknowledges every request whose ack_budget has run out by `now`: what the
  /// store's watchdog does every tenth of a budget with the clock's time. Tests call it with a
  /// time of their choosing instead of waiting for the clock.
  void spool_overdue_for_test(std::chrono::steady_clock::time_point now);

  /// Stops taking requests, stores or spools what is queued, calls every handler, and joins the
  /// writers. A spool not yet replayed stays for the next start.
  void stop();

 private:
  void watch_budgets();
  void spool_overdue(std::chrono::steady_clock::time_point now);

  StoreOptions options_;
  MessageCounts counts_;
  std::vector<std::unique_ptr<StoreWriter>> writers_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool is_stopping_ = false;
  std::thread watchdog_;
};

}  // namespace hemalink::store
