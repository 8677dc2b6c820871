#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace hemalink::lis {

/// Notices new outbox rows at once: LISTENs on hemalink_outbox (the outbox's triggers NOTIFY it
/// with the destination when rows are written or made pending again) on a connection and thread
/// of its own, and calls `on_rows(destination)` for each notification. After a lost connection
/// it reconnects and calls `on_rows("")` (look at every destination: what was notified meanwhile
/// went unheard). The senders' slow poll covers the rest.
class OutboxWatch {
 public:
  OutboxWatch(std::string dsn, std::function<void(const std::string&)> on_rows);
  ~OutboxWatch();
  OutboxWatch(const OutboxWatch&) = delete;
  OutboxWatch& operator=(const OutboxWatch&) = delete;

  void stop();

 private:
  void run();
  void listen_once(bool& was_lost);

  std::string dsn_;
  std::function<void(const std::string&)> on_rows_;
  std::atomic<bool> is_stopping_{false};
  std::thread thread_;
};

}  // namespace hemalink::lis
