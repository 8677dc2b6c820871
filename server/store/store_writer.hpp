#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/batch_writer.hpp"
#include "server/store/spool.hpp"
#include "server/store/store.hpp"

namespace hemalink::store {

/// One submitted request until its handler has run. Completed once: by the writer after the
/// commit or the spool, or by the ack-budget watchdog, whichever comes first.
struct Ticket {
  StoreRequest request;
  CompletionHandler done;
  MessageCounts* counts = nullptr;  ///< Told of the completion, when set.
  const std::vector<CompletionHook>* on_completed = nullptr;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point read_at{};  ///< Set by the writer when it read it.
  std::atomic<bool> finished{false};

  void complete(Completion completion);
  /// complete(), saying what was read and when. The writer's thread only.
  void complete_read(Completion completion);
  /// complete() from the watchdog, saying why (and nothing of the content: the writer may be
  /// reading it).
  void complete_over_budget(Completion completion);
};

/// One database thread of the Store: its queue, its connection, its spools. Online, it stores
/// each batch in one transaction; offline (the database unreachable), it spools; back online, it
/// replays its spools, oldest first, before it stores anything new, so an analyzer's messages
/// keep their order.
class StoreWriter {
 public:
  /// `spools`: files to replay, oldest first; the last is the one this writer appends to.
  StoreWriter(std::size_t index, const StoreOptions& options, ReceiptReader reader,
              std::vector<Spool> spools);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  /// False when the queue holds `max_queued` already or the writer is stopping.
  bool enqueue(std::shared_ptr<Ticket> ticket, std::size_t max_queued);
  void stop();
  void add_health(StoreHealth& health) const;

  /// Spools and completes every waiting or in-flight request whose deadline has passed (the
  /// analyzer must be acknowledged within its own timeout even when a commit is slow).
  void spool_overdue(std::chrono::steady_clock::time_point now);

 private:
  using Batch = std::vector<std::shared_ptr<Ticket>>;
  enum class State { Online, Offline };

  void run();
  Batch take_batch();
  std::chrono::steady_clock::time_point idle_until() const;
  bool is_done();
  void read_unread(Batch& batch);
  void handle(Batch& batch);
  Result<std::vector<Completion>, StoreError> write(std::span<const StoreRequest* const> batch);
  void store_one_by_one(Batch& batch, std::size_t from);
  Result<Completion, StoreError> store_or_keep_raw(const StoreRequest& request);
  void spool(Batch& batch, std::size_t from);
  void spool_unread(Batch& batch);
  void spool(Batch& batch, std::size_t from, void (Ticket::*complete)(Completion));
  void reconnect_if_due();
  void replay_chunk();
  void note_committed(const StoreRequest& request, const Completion& completion);
  void finish_spool(std::vector<Spool>::iterator done);
  void go_offline(const StoreError& error);
  bool has_spooled() const;
  void note_spooled();

  std::size_t index_;
  StoreOptions options_;
  ReceiptReader reader_;
  BatchWriter db_;
  State state_ = State::Offline;
  std::chrono::steady_clock::time_point next_attempt_{};
  bool is_offline_announced_ = false;

  mutable std::mutex spool_mutex_;  // the watchdog appends too
  std::vector<Spool> spools_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Ticket>> queue_;
  Batch in_flight_;
  bool stopping_ = false;
  std::string last_error_;
  std::atomic<bool> is_offline_{true};
  std::atomic<std::size_t> spooled_pending_{0};
  std::atomic<std::size_t> spooled_over_budget_{0};
  std::atomic<std::size_t> in_doubt_{0};

  std::thread thread_;
};

}  // namespace hemalink::store
