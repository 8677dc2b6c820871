#include "tests/support/analyzer_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocols/astm/e1381_link.hpp"

namespace hemalink::testing {
namespace {

constexpr char kEnq = 0x05;
constexpr char kAck = 0x06;
constexpr char kEot = 0x04;

}  // namespace

AnalyzerSocket::AnalyzerSocket(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close();
  }
}

AnalyzerSocket::~AnalyzerSocket() {
  close();
}

void AnalyzerSocket::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool AnalyzerSocket::send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd_ >= 0;
}

std::optional<char> AnalyzerSocket::read_byte(std::chrono::milliseconds limit) {
  pollfd p{fd_, POLLIN, 0};
  if (fd_ < 0 || ::poll(&p, 1, static_cast<int>(limit.count())) != 1) {
    return std::nullopt;
  }
  char c = 0;
  if (::recv(fd_, &c, 1, 0) != 1) {
    return std::nullopt;
  }
  return c;
}

bool AnalyzerSocket::closed_by_host_within(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[4096];
  while (fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
      return false;
    }
    if (::recv(fd_, buffer, sizeof buffer, 0) <= 0) {
      return true;
    }
  }
  return true;
}

bool AnalyzerSocket::send_e1381(std::string_view records, std::chrono::milliseconds limit) {
  if (!send(std::string(1, kEnq)) || read_byte(limit) != kAck) {
    return false;
  }
  int fn = 1;
  for (std::size_t at = 0; at < records.size();) {
    auto end = records.find('\r', at);
    end = end == std::string_view::npos ? records.size() : end + 1;
    std::string frame;
    astm::encode_frame(fn, records.substr(at, end - at), true, frame);
    if (!send(frame) || read_byte(limit) != kAck) {
      return false;
    }
    fn = (fn + 1) % 8;
    at = end;
  }
  return send(std::string(1, kEot));
}

std::unique_ptr<AnalyzerSocket> AnalyzerSocket::adopt(int connected_fd) {
  std::unique_ptr<AnalyzerSocket> s(new AnalyzerSocket());
  s->fd_ = connected_fd;
  return s;
}

TestListener::TestListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 4) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("TestListener: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
}

TestListener::~TestListener() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::unique_ptr<AnalyzerSocket> TestListener::accept(std::chrono::milliseconds limit) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) {
    return nullptr;
  }
  const int connected = ::accept(fd_, nullptr, nullptr);
  return connected < 0 ? nullptr : AnalyzerSocket::adopt(connected);
}

}  // namespace hemalink::testing
