#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hemalink::api {

/// The live events of `GET /api/v1/events`: each a JSON object {"seq", "type", "at", ...} with a
/// sequence number that only grows. The hub keeps the latest `history` events (so a client that
/// reconnects with `since` misses nothing recent) and hands each new one to every subscriber's
/// queue. A subscriber whose queue is full fell behind: it gets nothing more and is told so; the
/// hub's memory never grows with a slow client. Thread-safe.
class EventHub {
 public:
  using Event = std::shared_ptr<const std::string>;  ///< The event's JSON text.

  class Subscription {
   public:
    /// The events queued since the last take(), oldest first.
    std::vector<Event> take();
    /// True once the queue overflowed: the subscriber is to be told and dropped.
    bool fell_behind() const;

   private:
    friend class EventHub;
    mutable std::mutex mutex_;
    std::deque<Event> queue_;
    std::size_t max_queued_ = 0;
    bool fell_behind_ = false;
    std::function<void()> wake_;
  };

  explicit EventHub(std::size_t history = 1024) : history_(history) {}

  /// Publishes an event of `type` with `fields` (from any thread); returns its sequence number.
  std::uint64_t publish(const std::string& type, nlohmann::json fields);

  /// A new subscriber: `wake` is called (from the publishing thread) when events are queued for
  /// it. With `since`, the kept events after that sequence number are queued first, or, when
  /// some of them are no longer kept, a "gap" event says from where.
  std::shared_ptr<Subscription> subscribe(std::function<void()> wake,
                                          std::optional<std::uint64_t> since,
                                          std::size_t max_queued = 1024);

 private:
  static void deliver(Subscription& s, const Event& event);

  std::size_t history_;
  mutable std::mutex mutex_;
  std::uint64_t seq_ = 0;
  std::deque<std::pair<std::uint64_t, Event>> kept_;
  std::vector<std::weak_ptr<Subscription>> subscribers_;
};

}  // namespace hemalink::api
