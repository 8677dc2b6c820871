#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "server/orders/order_book.hpp"
#include "server/orders/worker_threads.hpp"

namespace hemalink::orders {

/// Writes what became of order tests at the analyzers (sent, acknowledged) off the paths that
/// report it: on a thread of its own, the marks that wait meanwhile in one transaction, in the
/// order they came (a test's "sent" before its "acknowledged").
class OrderMarks {
 public:
  explicit OrderMarks(std::string dsn) : dsn_(std::move(dsn)) {}

  void mark(std::string analyzer, std::vector<long long> ids, records::TestStep step);
  /// Writes what waits, then ends the thread.
  void stop() { thread_.stop(); }

 private:
  void write_waiting();

  std::string dsn_;
  std::mutex mutex_;
  std::vector<records::TestMarks> waiting_;
  WorkerThreads thread_{1, 1};  ///< A write queued takes every mark that came before it runs.
};

}  // namespace hemalink::orders
