#include "tests/support/child_process.hpp"

#include <regex>

#include "tests/support/corpus.hpp"
#include "tests/support/store_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace hemalink::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
                           const std::vector<std::string>& environment) {
  pid_ = ::fork();
  if (pid_ != 0) {
    return;
  }
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  for (const auto& e : environment)
    ::putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !wait(std::chrono::milliseconds(0))) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void ChildProcess::signal(int number) const {
  if (pid_ > 0)
    ::kill(pid_, number);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0) {
    return std::nullopt;
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a child's exit
  }
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t at = 0; at <= dirs.size();) {
    auto end = dirs.find(':', at);
    end = end == std::string::npos ? dirs.size() : end;
    const auto candidate = std::filesystem::path(dirs.substr(at, end - at)) / name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    at = end + 1;
  }
  return std::nullopt;
}

std::uint16_t port_from_log(const std::filesystem::path& log, const std::string& name,
                            std::chrono::seconds limit) {
  const std::regex listening(name + R"(: listening on [0-9.]+:([0-9]+) )");
  std::uint16_t port = 0;
  wait_until(
      [&] {
        std::smatch match;
        const auto text = read_file(log);
        if (std::regex_search(text, match, listening)) {
          port = static_cast<std::uint16_t>(std::stoi(match[1].str()));
        }
        return port != 0;
      },
      limit);
  return port;
}

}  // namespace hemalink::testing
