#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hemalink::testing {

/// A blocking TCP client on 127.0.0.1 that plays an analyzer byte by byte, for the tests that
/// need what a well-behaved simulator never does (stopping mid-message, going silent, sending
/// junk). Every read has a time limit.
class AnalyzerSocket {
 public:
  explicit AnalyzerSocket(std::uint16_t port);
  /// A connection accepted elsewhere (TestListener), adopted.
  static std::unique_ptr<AnalyzerSocket> adopt(int connected_fd);
  ~AnalyzerSocket();
  AnalyzerSocket(const AnalyzerSocket&) = delete;
  AnalyzerSocket& operator=(const AnalyzerSocket&) = delete;

  bool is_connected() const { return fd_ >= 0; }
  /// False when the host closed the connection or it broke.
  bool send(std::string_view bytes);
  /// The next byte, or nullopt when `limit` passed or the host closed.
  std::optional<char> read_byte(std::chrono::milliseconds limit);
  /// True when the host closes the connection within `limit` (bytes before that are skipped).
  bool closed_by_host_within(std::chrono::milliseconds limit);
  /// One E1381 transfer of `records` (one message): ENQ, frames, EOT. True when the ENQ and
  /// every frame were ACKed.
  bool send_e1381(std::string_view records, std::chrono::milliseconds limit);
  void close();

 private:
  AnalyzerSocket() = default;
  int fd_ = -1;
};

/// A TCP listener on 127.0.0.1, on a port the system chooses, for tests that play a peer the
/// daemon dials (a LIS that misbehaves byte by byte).
class TestListener {
 public:
  TestListener();
  ~TestListener();
  TestListener(const TestListener&) = delete;
  TestListener& operator=(const TestListener&) = delete;

  std::uint16_t port() const { return port_; }
  /// The next connection, or nullptr when none came within `limit`.
  std::unique_ptr<AnalyzerSocket> accept(std::chrono::milliseconds limit);

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace hemalink::testing
