#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace hemalink::rules {

/// A map that keeps at most `capacity` entries, forgetting the least recently used first. Not
/// thread-safe: its owner locks.
template <typename Value>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// The entry for `key`, now the most recently used; nullptr when there is none.
  Value* find(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end())
      return nullptr;
    order_.splice(order_.begin(), order_, it->second.second);
    return &it->second.first;
  }

  /// Sets the entry for `key` (the most recently used), forgetting the oldest beyond capacity.
  Value& put(const std::string& key, Value value) {
    if (auto* existing = find(key)) {
      *existing = std::move(value);
      return *existing;
    }
    order_.push_front(key);
    auto& slot = entries_[key];
    slot = {std::move(value), order_.begin()};
    while (entries_.size() > capacity_) {
      entries_.erase(order_.back());
      order_.pop_back();
    }
    return slot.first;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::string> order_;  // most recently used first
  std::unordered_map<std::string, std::pair<Value, std::list<std::string>::iterator>> entries_;
};

}  // namespace hemalink::rules
