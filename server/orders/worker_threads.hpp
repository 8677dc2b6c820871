#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hemalink::orders {

/// A few threads taking jobs in arrival order from a bounded queue. One thread runs them strictly
/// in order; several run them at once. Stopping runs what is queued, then joins.
class WorkerThreads {
 public:
  WorkerThreads(std::size_t threads, std::size_t max_queued);
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  /// False (and `job` not run) when the queue is full or the threads are stopping.
  bool post(std::function<void()> job);
  void stop();

 private:
  void run();

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool is_stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hemalink::orders
