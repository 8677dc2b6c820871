#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hemalink::testing {

/// A program the test starts (the daemon binary, socat), killed if still running when the
/// object goes away.
class ChildProcess {
 public:
  /// Starts `argv` with stdout and stderr appended to `log`.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int number) const;
  /// The exit code once it exits within `limit` (128 + N when killed by signal N).
  std::optional<int> wait(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
};

/// The port a daemon bound for `name` (an analyzer or LIS destination configured with port 0),
/// read from its log line "NAME: listening on ADDRESS:PORT (...)" once it is there; 0 when it is
/// not within `limit`.
std::uint16_t port_from_log(const std::filesystem::path& log, const std::string& name,
                            std::chrono::seconds limit);

/// The path of a program on PATH, when there is one.
std::optional<std::filesystem::path> find_program(const std::string& name);

}  // namespace hemalink::testing
