#include "server/lis/outbox_watch.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <pqxx/pqxx>

namespace hemalink::lis {
namespace {

constexpr const char* kChannel = "hemalink_outbox";

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& c, const std::function<void(const std::string&)>& on_rows)
      : pqxx::notification_receiver(c, kChannel), on_rows_(on_rows) {}
  void operator()(const std::string& payload, int) override { on_rows_(payload); }

 private:
  const std::function<void(const std::string&)>& on_rows_;
};

}  // namespace

OutboxWatch::OutboxWatch(std::string dsn, std::function<void(const std::string&)> on_rows)
    : dsn_(std::move(dsn)), on_rows_(std::move(on_rows)), thread_([this] { run(); }) {}

OutboxWatch::~OutboxWatch() {
  stop();
}

void OutboxWatch::stop() {
  is_stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

void OutboxWatch::run() {
  bool was_lost = false;
  while (!is_stopping_) {
    try {
      listen_once(was_lost);
    } catch (const std::exception& e) {
      if (!was_lost) {
        spdlog::warn("outbox watch: {} (new rows are found by the senders' poll until it is back)",
                     e.what());
      }
      was_lost = true;
    }
    for (int i = 0; i < 10 && !is_stopping_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void OutboxWatch::listen_once(bool& was_lost) {
  pqxx::connection c(dsn_);
  Receiver receiver(c, on_rows_);
  if (was_lost) {
    spdlog::info("outbox watch: listening again");
    was_lost = false;
  }
  on_rows_("");
  while (!is_stopping_) {
    c.await_notification(0, 200000);
  }
}

}  // namespace hemalink::lis
