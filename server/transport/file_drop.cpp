#include "server/transport/file_drop.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/files/text_file.hpp"

namespace hemalink::transport {
namespace {

namespace fs = std::filesystem;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// done/name, or done/name.N when a file of that name was done before.
fs::path done_path(const fs::path& done_folder, const fs::path& file) {
  auto target = done_folder / file.filename();
  for (int n = 1; fs::exists(target); ++n) {
    target = done_folder / (file.filename().string() + "." + std::to_string(n));
  }
  return target;
}

}  // namespace

FileDrop::FileDrop(asio::io_context& io, std::string name, FileDropTransport folder,
                   ReceiveFile receive)
    : name_(std::move(name)),
      folder_(std::move(folder)),
      receive_(std::move(receive)),
      strand_(asio::make_strand(io)),
      wait_(strand_) {
  std::error_code error;
  fs::create_directories(folder_.folder, error);
  if (!error)
    fs::create_directories(folder_.done_folder, error);
  if (error) {
    throw std::runtime_error(name_ + ": cannot create " + folder_.folder.string() + " or " +
                             folder_.done_folder.string() + ": " + error.message());
  }
}

void FileDrop::start() {
  spdlog::info("{}: watching {} every {} ms (done files go to {})", name_, folder_.folder.string(),
               folder_.poll_interval.count(), folder_.done_folder.string());
  asio::co_spawn(strand_, poll_loop(), asio::detached);
}

void FileDrop::stop() {
  asio::post(strand_, [this] {
    is_stopped_ = true;
    wait_.cancel();
  });
}

asio::awaitable<void> FileDrop::poll_loop() {
  while (!is_stopped_) {
    poll();
    wait_.expires_after(folder_.poll_interval);
    co_await wait_.async_wait(kAwait);
  }
}

void FileDrop::poll() {
  std::error_code error;
  std::map<fs::path, Seen> now;
  for (fs::directory_iterator it(folder_.folder, error), end; !error && it != end;
       it.increment(error)) {
    const auto& path = it->path();
    if (!it->is_regular_file(error) || path.filename().string().starts_with(".")) {
      continue;
    }
    Seen s{it->file_size(error), it->last_write_time(error)};
    if (error) {
      continue;  // vanished while we looked
    }
    auto before = seen_.find(path);
    const bool is_settled = before != seen_.end() && before->second.size == s.size &&
                            before->second.modified == s.modified;
    if (is_settled && !in_flight_.contains(path)) {
      take(path);
    }
    now.emplace(path, s);
  }
  if (error) {
    spdlog::warn("{}: cannot read {}: {}", name_, folder_.folder.string(), error.message());
  }
  seen_ = std::move(now);
}

void FileDrop::take(const fs::path& file) {
  auto content = files::read_text_file(file);
  if (!content) {
    spdlog::warn("{}: cannot read {}", name_, file.string());
    return;
  }
  in_flight_.insert(file);
  receive_(file, std::move(*content), [this, file](bool is_durable) {
    asio::post(strand_, [this, file, is_durable] { file_done(file, is_durable); });
  });
}

void FileDrop::file_done(const fs::path& file, bool is_durable) {
  if (!is_durable) {
    in_flight_.erase(file);  // tried again at the next poll
    return;
  }
  std::error_code error;
  const auto target = done_path(folder_.done_folder, file);
  fs::rename(file, target, error);
  if (error) {
    // Left in flight: not read again while the daemon runs (after a restart it is stored again
    // and kept as a duplicate).
    spdlog::error("{}: {} is stored but cannot be moved to {}: {}", name_, file.string(),
                  target.string(), error.message());
    return;
  }
  in_flight_.erase(file);
  seen_.erase(file);
}

}  // namespace hemalink::transport
