#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/session/work_to_send.hpp"

namespace hemalink::daemon {

/// One live analyzer connection, as the daemon sees it when it stops.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Stop reading; close once the acknowledgements of messages already handed to the store are
  /// written. Safe from any thread.
  virtual void drain() = 0;
  /// Close now. Safe from any thread.
  virtual void close() = 0;
  /// Sends the analyzer work of hemalink's own accord (download mode), on the connection's own
  /// thread. Safe from any thread.
  virtual void send_work(session::WorkToSend work) = 0;
};

/// Every live connection of the daemon: the connection cap, and what SIGTERM drains.
class ConnectionRegistry {
 public:
  /// Told of each connection admitted (true) and ended (false), outside the registry's lock;
  /// `connection` numbers it (in the order connections were admitted).
  using Observer = std::function<void(const std::string& analyzer, const std::string& peer,
                                      std::uint64_t connection, bool is_open)>;

  explicit ConnectionRegistry(std::size_t max_connections) : max_connections_(max_connections) {}
  /// Before any connection: not thread-safe against add and remove.
  void observe(Observer observer) { observer_ = std::move(observer); }

  /// Admits `connection` of `analyzer` unless the daemon's cap or the analyzer's own
  /// (`analyzer_cap`) is reached.
  bool add(const std::shared_ptr<Connection>& connection, const std::string& analyzer,
           std::size_t analyzer_cap, std::string peer = {});
  void remove(const Connection* connection);
  std::size_t size() const;
  /// The peers of each analyzer's open connections (remote address and port, or device).
  std::map<std::string, std::vector<std::string>> peers() const;
  /// The newest live connection of `analyzer` and its number; none when it has none (an analyzer
  /// that reconnects is on its new connection while the old one is still closing).
  std::pair<std::uint64_t, std::shared_ptr<Connection>> newest_of(std::string_view analyzer) const;

  void drain_all();
  void close_all();

 private:
  std::vector<std::shared_ptr<Connection>> live() const;

  std::size_t max_connections_;
  Observer observer_;
  mutable std::mutex mutex_;
  struct Entry {
    std::weak_ptr<Connection> connection;
    std::string analyzer;
    std::string peer;
    std::uint64_t admitted = 0;  ///< The order connections were admitted in.
  };
  std::map<const Connection*, Entry> connections_;
  std::map<std::string, std::size_t, std::less<>> per_analyzer_;
  std::uint64_t admitted_ = 0;
};

}  // namespace hemalink::daemon
