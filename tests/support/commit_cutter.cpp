#include "tests/support/commit_cutter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <regex>
#include <stdexcept>
#include <string_view>

namespace hemalink::testing {
namespace {

// The simple-query message libpqxx sends to commit: 'Q', length 11, "COMMIT\0".
constexpr std::string_view kCommitQuery{
    "Q\0\0\0\x0b"
    "COMMIT\0",
    12};

// The Bind of the store's batch statement, which commits by itself: an empty portal name, then
// the statement's name.
constexpr std::string_view kBatchBind{"\0store_batch\0", 13};

// A COMMIT, or a batch statement's Bind ('B', a 4-byte length, the empty portal name).
bool commits(std::string_view bytes) {
  if (bytes.find(kCommitQuery) != std::string_view::npos) {
    return true;
  }
  for (auto at = bytes.find(kBatchBind); at != std::string_view::npos;
       at = bytes.find(kBatchBind, at + 1)) {
    if (at >= 5 && bytes[at - 5] == 'B') {
      return true;
    }
  }
  return false;
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

int connect_unix(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

CommitCutter::CommitCutter(std::filesystem::path server_socket)
    : server_socket_(std::move(server_socket)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("commit cutter: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

CommitCutter::~CommitCutter() {
  is_stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  std::lock_guard lock(mutex_);
  for (auto& t : relays_) {
    t.join();
  }
}

std::string CommitCutter::through(const std::string& dsn) const {
  return std::regex_replace(dsn, std::regex(R"(host=\S+)"),
                            "host=127.0.0.1 port=" + std::to_string(port_) + " sslmode=disable");
}

void CommitCutter::arm(Cut cut) {
  armed_ = static_cast<int>(cut);
}

void CommitCutter::accept_loop() {
  while (!is_stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) {
      continue;
    }
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) {
      continue;
    }
    const int server = connect_unix(server_socket_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    std::lock_guard lock(mutex_);
    relays_.emplace_back([this, client, server] { relay(client, server); });
  }
}

// Both directions on one thread. Once this connection's COMMIT is cut, nothing more passes.
void CommitCutter::relay(int client, int server) {
  char buffer[64 * 1024];
  bool is_cutting = false;  // the COMMIT went to the server; its answer is to be dropped
  while (!is_stopping_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 100) <= 0) {
      continue;
    }
    if (fds[0].revents != 0) {
      const auto n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) {
        break;
      }
      const std::string_view bytes(buffer, static_cast<std::size_t>(n));
      int cut = armed_.load();
      if (cut >= 0 && commits(bytes) && armed_.compare_exchange_strong(cut, -1)) {
        ++cuts_;
        if (static_cast<Cut>(cut) == Cut::BeforeTheServerSeesIt) {
          break;
        }
        is_cutting = true;
      }
      if (!send_all(server, buffer, static_cast<std::size_t>(n))) {
        break;
      }
    }
    if (fds[1].revents != 0) {
      const auto n = ::recv(server, buffer, sizeof buffer, 0);
      if (n <= 0 || is_cutting) {
        break;  // the server answered the COMMIT: it is committed, and the answer is lost
      }
      if (!send_all(client, buffer, static_cast<std::size_t>(n))) {
        break;
      }
    }
  }
  ::close(client);
  ::close(server);
}

}  // namespace hemalink::testing
