#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "server/transport/receive_file.hpp"
#include "server/transport/transport_settings.hpp"

namespace hemalink::transport {

namespace asio = boost::asio;

/// A file-drop transport (export files): polls its folder; a file whose size and modification
/// time did not change between two polls is complete, is read whole and handed on, and is moved
/// to the done folder once its receiver says it is durable. A file that was not taken stays and
/// is handed on again at a later poll. Hidden files (".name", how exporters write before a
/// rename) are left alone.
class FileDrop {
 public:
  /// Creates the folders. Throws std::runtime_error naming `name` and the folder when it cannot:
  /// a start-up failure.
  FileDrop(asio::io_context& io, std::string name, FileDropTransport folder, ReceiveFile receive);

  void start();
  void stop();

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
  };

  asio::awaitable<void> poll_loop();
  void poll();
  void take(const std::filesystem::path& file);
  void file_done(const std::filesystem::path& file, bool is_durable);

  std::string name_;
  FileDropTransport folder_;
  ReceiveFile receive_;  ///< Called on the drop's strand.
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer wait_;
  std::map<std::filesystem::path, Seen> seen_;
  std::set<std::filesystem::path> in_flight_;
  bool is_stopped_ = false;
};

}  // namespace hemalink::transport
