#include "server/store/store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>
#include <utility>

#include "server/store/store_writer.hpp"

namespace hemalink::store {
namespace {

// Stable across builds and runs, so an analyzer keeps its writer (and its spool file).
std::size_t writer_for(std::string_view analyzer, std::size_t writers) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : analyzer) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return static_cast<std::size_t>(hash % writers);
}

// spool-N.hls files already in the directory, by N.
std::map<std::size_t, std::filesystem::path> existing_spools(const std::filesystem::path& dir) {
  std::map<std::size_t, std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("spool-") || !name.ends_with(".hls")) {
      continue;
    }
    std::size_t n = 0;
    const auto digits = std::string_view(name).substr(6, name.size() - 10);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      found[n] = entry.path();
    }
  }
  return found;
}

Spool open_spool(const std::filesystem::path& path) {
  auto spool = Spool::open(path);
  if (!spool) {
    throw std::runtime_error(spool.error().detail);
  }
  const auto& found = spool->recovery();
  if (found.torn_bytes > 0) {
    spdlog::warn("spool {}: cut off {} bytes of a record torn by a crash (never acknowledged)",
                 path.string(), found.torn_bytes);
  }
  if (found.damaged_bytes > 0) {
    spdlog::error("spool {}: skipped {} damaged bytes; a copy of the file is at {}", path.string(),
                  found.damaged_bytes, found.damaged_copy.string());
  }
  if (found.records > 0) {
    spdlog::warn("spool {}: {} messages from an earlier run will be replayed", path.string(),
                 found.records);
  }
  return std::move(*spool);
}

}  // namespace

Store::Store(StoreOptions options, ReceiptReader reader) : options_(std::move(options)) {
  options_.writers = std::max<std::size_t>(options_.writers, 1);
  options_.max_batch_messages = std::max<std::size_t>(options_.max_batch_messages, 1);
  std::error_code ec;
  std::filesystem::create_directories(options_.spool_dir, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("spool directory {}: {}", options_.spool_dir.string(), ec.message()));
  }
  const auto found = existing_spools(options_.spool_dir);
  for (std::size_t i = 0; i < options_.writers; ++i) {
    std::vector<Spool> spools;
    // Files left by a run with more writers are replayed first, by the writer they map to.
    for (const auto& [n, path] : found) {
      if (n >= options_.writers && n % options_.writers == i) {
        spools.push_back(open_spool(path));
      }
    }
    spools.push_back(open_spool(options_.spool_dir / fmt::format("spool-{}.hls", i)));
    writers_.push_back(std::make_unique<StoreWriter>(i, options_, reader, std::move(spools)));
  }
  if (options_.ack_budget.count() > 0) {
    watchdog_ = std::thread([this] { watch_budgets(); });
  }
}

// Checks a tenth of the budget at a time, so a request waits at most 1.1 budgets.
void Store::watch_budgets() {
  const auto step =
      std::max<std::chrono::milliseconds>(options_.ack_budget / 10, std::chrono::milliseconds(10));
  std::unique_lock lock(watch_mutex_);
  while (!watch_wake_.wait_for(lock, step, [&] { return is_stopping_; })) {
    lock.unlock();
    spool_overdue(std::chrono::steady_clock::now());
    lock.lock();
  }
}

void Store::spool_overdue(std::chrono::steady_clock::time_point now) {
  for (auto& w : writers_) {
    w->spool_overdue(now);
  }
}

void Store::spool_overdue_for_test(std::chrono::steady_clock::time_point now) {
  spool_overdue(now);
}

Store::~Store() {
  stop();
}

Result<void, StoreError> Store::submit(StoreRequest request, CompletionHandler done) {
  const auto i = writer_for(request.receipt.analyzer, writers_.size());
  const auto per_writer = std::max<std::size_t>(options_.max_queued_messages / writers_.size(), 1);
  auto ticket = std::make_shared<Ticket>();
  ticket->request = std::move(request);
  ticket->done = std::move(done);
  ticket->counts = &counts_;
  ticket->on_completed = &options_.on_completed;
  ticket->deadline = options_.ack_budget.count() > 0
                         ? std::chrono::steady_clock::now() + options_.ack_budget
                         : std::chrono::steady_clock::time_point::max();
  if (!writers_[i]->enqueue(std::move(ticket), per_writer)) {
    return StoreError{
        make_error_code(StoreErrc::Retryable),
        fmt::format("the store is stopping or has {} messages waiting: refused", per_writer)};
  }
  return {};
}

StoreHealth Store::health() const {
  StoreHealth health;
  for (const auto& w : writers_) {
    w->add_health(health);
  }
  return health;
}

void Store::stop() {
  {
    std::lock_guard lock(watch_mutex_);
    is_stopping_ = true;
  }
  watch_wake_.notify_all();
  if (watchdog_.joinable()) {
    watchdog_.join();
  }
  for (auto& w : writers_) {
    w->stop();
  }
}

}  // namespace hemalink::store
