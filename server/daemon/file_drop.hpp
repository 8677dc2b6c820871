#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "server/config/daemon_config.hpp"
#include "server/daemon/analyzer_connection.hpp"

namespace hemalink::daemon {

/// A file-drop analyzer (export files): polls its folder; a file whose size and modification
/// time did not change between two polls is complete, is read as one receipt and handed to the
/// store, and is moved to the done folder once the store has it durably. A file the store could
/// not take stays and is tried again. Hidden files (".name", how exporters write before a
/// rename) are left alone.
class FileDrop {
 public:
  FileDrop(asio::io_context& io, config::AnalyzerConfig analyzer, ConnectionServices services);

  void start();
  void stop();

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
  };

  asio::awaitable<void> poll_loop();
  void poll();
  void ingest(const std::filesystem::path& file);
  void file_done(const std::filesystem::path& file, bool is_durable);

  config::AnalyzerConfig analyzer_;
  config::FileDropTransport folder_;
  ConnectionServices services_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  std::map<std::filesystem::path, Seen> seen_;
  std::set<std::filesystem::path> in_flight_;
  bool is_stopped_ = false;
};

}  // namespace hemalink::daemon
