#include "server/daemon/connection_registry.hpp"

namespace hemalink::daemon {

bool ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  if (connections_.size() >= max_connections_) {
    return false;
  }
  connections_.emplace(connection.get(), connection);
  return true;
}

void ConnectionRegistry::remove(const Connection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::live() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Connection>> out;
  for (const auto& [key, weak] : connections_) {
    if (auto c = weak.lock()) {
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
