#include "server/api/event_hub.hpp"

#include <fmt/chrono.h>

#include <chrono>

namespace hemalink::api {
namespace {

std::string now_iso8601() {
  const auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

}  // namespace

std::vector<EventHub::Event> EventHub::Subscription::take() {
  std::lock_guard lock(mutex_);
  std::vector<Event> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

bool EventHub::Subscription::fell_behind() const {
  std::lock_guard lock(mutex_);
  return fell_behind_;
}

void EventHub::deliver(Subscription& s, const Event& event) {
  {
    std::lock_guard lock(s.mutex_);
    if (s.fell_behind_)
      return;
    if (s.queue_.size() >= s.max_queued_) {
      s.fell_behind_ = true;
      s.queue_.clear();
    } else {
      s.queue_.push_back(event);
    }
  }
  if (s.wake_)
    s.wake_();
}

std::uint64_t EventHub::publish(const std::string& type, nlohmann::json fields) {
  std::vector<std::shared_ptr<Subscription>> live;
  Event event;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    seq = ++seq_;
    fields["seq"] = seq;
    fields["type"] = type;
    fields["at"] = now_iso8601();
    event = std::make_shared<const std::string>(
        fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    kept_.emplace_back(seq, event);
    if (kept_.size() > history_)
      kept_.pop_front();
    std::erase_if(subscribers_, [](const auto& w) { return w.expired(); });
    for (const auto& w : subscribers_) {
      if (auto s = w.lock())
        live.push_back(std::move(s));
    }
  }
  for (const auto& s : live)
    deliver(*s, event);
  return seq;
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(std::function<void()> wake,
                                                            std::optional<std::uint64_t> since,
                                                            std::size_t max_queued) {
  auto s = std::make_shared<Subscription>();
  s->max_queued_ = max_queued;
  std::lock_guard lock(mutex_);
  if (since && *since < seq_) {
    const auto oldest_kept = kept_.empty() ? seq_ + 1 : kept_.front().first;
    if (*since + 1 < oldest_kept) {
      nlohmann::json gap = {{"type", "gap"},
                            {"from", *since + 1},
                            {"to", oldest_kept - 1},
                            {"message", "these events are no longer kept: read the state again"}};
      s->queue_.push_back(std::make_shared<const std::string>(gap.dump()));
    }
    for (const auto& [seq, event] : kept_) {
      if (seq > *since && s->queue_.size() < max_queued)
        s->queue_.push_back(event);
    }
  }
  s->wake_ = std::move(wake);
  subscribers_.push_back(s);
  return s;
}

}  // namespace hemalink::api
