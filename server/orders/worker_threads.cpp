#include "server/orders/worker_threads.hpp"

namespace hemalink::orders {

WorkerThreads::WorkerThreads(std::size_t threads, std::size_t max_queued)
    : max_queued_(max_queued) {
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

WorkerThreads::~WorkerThreads() {
  stop();
}

bool WorkerThreads::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (is_stopping_ || queue_.size() >= max_queued_) {
      return false;
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerThreads::stop() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
}

void WorkerThreads::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return is_stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace hemalink::orders
