#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hemalink::testing {

/// A TCP proxy on 127.0.0.1 in front of the private cluster's Unix socket that can cut a
/// connection in the middle of its COMMIT (or of the store's batch statement, which commits by
/// itself), so that the client cannot know the commit's outcome. Bytes pass through untouched until
/// a cut is armed.
class CommitCutter {
 public:
  enum class Cut {
    /// The COMMIT reaches the server, which commits; its answer is dropped and the client's
    /// connection closed: committed, and the client does not know it.
    AfterTheServerCommits,
    /// The COMMIT is dropped and both connections closed: the server rolls back, and the client
    /// does not know it.
    BeforeTheServerSeesIt,
  };

  /// `server_socket`: the cluster's socket file (DIR/.s.PGSQL.5432).
  explicit CommitCutter(std::filesystem::path server_socket);
  ~CommitCutter();
  CommitCutter(const CommitCutter&) = delete;
  CommitCutter& operator=(const CommitCutter&) = delete;

  std::uint16_t port() const { return port_; }
  /// `dsn` (libpq keywords, host= a socket folder) made to connect through this proxy.
  std::string through(const std::string& dsn) const;

  /// Cuts the next COMMIT on any connection as `cut` says; once.
  void arm(Cut cut);
  /// How many COMMITs were cut.
  int cuts() const { return cuts_.load(); }

 private:
  void accept_loop();
  void relay(int client, int server);

  std::filesystem::path server_socket_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> is_stopping_{false};
  std::atomic<int> armed_{-1};  // a Cut, or -1
  std::atomic<int> cuts_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> relays_;
};

}  // namespace hemalink::testing
