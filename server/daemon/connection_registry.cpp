#include "server/daemon/connection_registry.hpp"

#include <algorithm>

namespace hemalink::daemon {

bool ConnectionRegistry::add(const std::shared_ptr<Connection>& connection,
                             const std::string& analyzer, std::size_t analyzer_cap,
                             std::string peer) {
  std::uint64_t number = 0;
  {
    std::lock_guard lock(mutex_);
    auto& of_analyzer = per_analyzer_[analyzer];
    if (connections_.size() >= max_connections_ || of_analyzer >= analyzer_cap) {
      return false;
    }
    ++of_analyzer;
    number = ++admitted_;
    connections_.emplace(connection.get(), Entry{connection, analyzer, peer, number});
  }
  if (observer_)
    observer_(analyzer, peer, number, true);
  return true;
}

void ConnectionRegistry::remove(const Connection* connection) {
  Entry ended;
  {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(connection);
    if (it == connections_.end()) {
      return;
    }
    --per_analyzer_[it->second.analyzer];
    ended = std::move(it->second);
    connections_.erase(it);
  }
  if (observer_)
    observer_(ended.analyzer, ended.peer, ended.admitted, false);
}

std::pair<std::uint64_t, std::shared_ptr<Connection>> ConnectionRegistry::newest_of(
    std::string_view analyzer) const {
  std::lock_guard lock(mutex_);
  std::pair<std::uint64_t, std::shared_ptr<Connection>> newest{0, nullptr};
  for (const auto& [key, entry] : connections_) {
    if (entry.analyzer == analyzer && entry.admitted > newest.first) {
      if (auto c = entry.connection.lock()) {
        newest = {entry.admitted, std::move(c)};
      }
    }
  }
  return newest;
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::map<std::string, std::vector<std::string>> ConnectionRegistry::peers() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [key, entry] : connections_) {
    out[entry.analyzer].push_back(entry.peer);
  }
  return out;
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::live() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Connection>> out;
  for (const auto& [key, entry] : connections_) {
    if (auto c = entry.connection.lock()) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

void ConnectionRegistry::drain_all() {
  for (const auto& c : live()) {
    c->drain();
  }
}

void ConnectionRegistry::close_all() {
  for (const auto& c : live()) {
    c->close();
  }
}

}  // namespace hemalink::daemon
