#include "server/store/store_writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace hemalink::store {
namespace {

using Clock = std::chrono::steady_clock;

bool is_transient(const StoreError& error) {
  return error.code == StoreErrc::Retryable || error.code == StoreErrc::InDoubt;
}

void call(const CompletionHandler& done, Completion completion) {
  if (done) {
    done(completion);
  }
}

// Kept raw with the reason when the database refuses the message's results: nothing received is
// lost, and the review queue shows why.
StoreRequest raw_only(const StoreRequest& request, const StoreError& refusal) {
  StoreRequest copy{request.receipt, {}};
  copy.interpretation.status = MessageStatus::Rejected;
  copy.interpretation.control_id = request.interpretation.control_id;
  copy.interpretation.reject_reason =
      fmt::format("stored raw only: the database refused its results ({})", refusal.detail);
  return copy;
}

Interpretation interpret(const Interpreter& interpreter, const Receipt& receipt) {
  try {
    return interpreter(receipt);
  } catch (const std::exception& e) {
    Interpretation failed;
    failed.status = MessageStatus::Rejected;
    failed.reject_reason = fmt::format("could not be interpreted when replayed: {}", e.what());
    return failed;
  }
}

}  // namespace

StoreWriter::StoreWriter(std::size_t index, const StoreOptions& options, Interpreter interpreter,
                         std::vector<Spool> spools)
    : index_(index),
      options_(options),
      interpreter_(std::move(interpreter)),
      db_(options.dsn),
      spools_(std::move(spools)) {
  note_spooled();
  thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
  stop();
}

bool StoreWriter::enqueue(StoreRequest request, CompletionHandler done, std::size_t max_queued) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued) {
      return false;
    }
    queue_.emplace_back(std::move(request), std::move(done));
  }
  wake_.notify_one();
  return true;
}

void StoreWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void StoreWriter::add_health(StoreHealth& health) const {
  std::lock_guard lock(mutex_);
  health.is_degraded = health.is_degraded || is_offline_.load();
  health.spooled_pending += spooled_pending_.load();
  health.queued += queue_.size();
  if (!last_error_.empty()) {
    health.last_error = last_error_;
  }
}

void StoreWriter::run() {
  while (!is_done()) {
    reconnect_if_due();
    if (state_ == State::Online && has_spooled()) {
      replay_chunk();
    }
    auto batch = take_batch();
    if (!batch.requests.empty()) {
      handle(batch);
    }
  }
  spdlog::info("store writer {} stopped{}", index_,
               has_spooled() ? fmt::format(" with {} spooled messages kept for the next start",
                                           spooled_pending_.load())
                             : "");
}

bool StoreWriter::is_done() {
  std::lock_guard lock(mutex_);
  return stopping_ && queue_.empty();
}

// With spooled work to replay the writer only polls; offline it sleeps until the next attempt.
Clock::time_point StoreWriter::idle_until() const {
  if (state_ == State::Online && has_spooled()) {
    return Clock::now();
  }
  if (state_ == State::Offline) {
    return next_attempt_;
  }
  return Clock::now() + std::chrono::seconds(1);
}

StoreWriter::Batch StoreWriter::take_batch() {
  Batch batch;
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, idle_until(), [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) {
    return batch;
  }
  const auto close_at = Clock::now() + options_.max_batch_wait;
  wake_.wait_until(lock, close_at,
                   [&] { return stopping_ || queue_.size() >= options_.max_batch_messages; });
  const auto n = std::min(queue_.size(), options_.max_batch_messages);
  batch.requests.reserve(n);
  batch.handlers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    batch.requests.push_back(std::move(queue_.front().first));
    batch.handlers.push_back(std::move(queue_.front().second));
    queue_.pop_front();
  }
  return batch;
}

void StoreWriter::handle(Batch& batch) {
  if (state_ == State::Offline || has_spooled()) {
    spool(batch, 0);
    return;
  }
  auto written = db_.write(batch.requests);
  if (written) {
    for (std::size_t i = 0; i < batch.requests.size(); ++i) {
      call(batch.handlers[i], std::move((*written)[i]));
    }
    return;
  }
  if (is_transient(written.error())) {
    go_offline(written.error());
    spool(batch, 0);
    return;
  }
  spdlog::error("store writer {}: {}; storing the batch's messages one by one", index_,
                written.error().detail);
  store_one_by_one(batch, 0);
}

void StoreWriter::store_one_by_one(Batch& batch, std::size_t from) {
  for (std::size_t i = from; i < batch.requests.size(); ++i) {
    auto stored = store_or_keep_raw(batch.requests[i]);
    if (stored) {
      call(batch.handlers[i], std::move(*stored));
    } else if (is_transient(stored.error())) {
      go_offline(stored.error());
      spool(batch, i);
      return;
    } else {
      call(batch.handlers[i], {StoreOutcome::Failed, stored.error().detail});
    }
  }
}

Result<Completion, StoreError> StoreWriter::store_or_keep_raw(const StoreRequest& request) {
  auto written = db_.write(std::span(&request, 1));
  if (written) {
    return std::move((*written)[0]);
  }
  if (is_transient(written.error())) {
    return written.error();
  }
  spdlog::error("store writer {}: message {} from {}: {}; keeping it raw", index_,
                request.receipt.id.to_string(), request.receipt.analyzer, written.error().detail);
  const auto raw = raw_only(request, written.error());
  auto kept = db_.write(std::span(&raw, 1));
  if (!kept) {
    return kept.error();
  }
  auto completion = std::move((*kept)[0]);
  completion.detail = raw.interpretation.reject_reason;
  return completion;
}

void StoreWriter::spool(Batch& batch, std::size_t from) {
  std::vector<const Receipt*> receipts;
  for (std::size_t i = from; i < batch.requests.size(); ++i) {
    receipts.push_back(&batch.requests[i].receipt);
  }
  auto error = spools_.back().append(receipts);
  note_spooled();
  for (std::size_t i = from; i < batch.requests.size(); ++i) {
    if (error) {
      call(batch.handlers[i], {StoreOutcome::Failed,
                               fmt::format("the database is unreachable and {}", error->detail)});
    } else {
      call(batch.handlers[i], {StoreOutcome::Spooled, ""});
    }
  }
  if (error) {
    spdlog::critical("store writer {}: {}", index_, error->detail);
  }
}

void StoreWriter::reconnect_if_due() {
  if (state_ == State::Online || Clock::now() < next_attempt_) {
    return;
  }
  if (auto error = db_.connect()) {
    go_offline(*error);
    return;
  }
  state_ = State::Online;
  is_offline_ = false;
  is_offline_announced_ = false;
  if (has_spooled()) {
    spdlog::warn("store writer {}: the database is reachable; replaying {} spooled messages",
                 index_, spooled_pending_.load());
  }
}

void StoreWriter::replay_chunk() {
  auto it =
      std::find_if(spools_.begin(), spools_.end(), [](const Spool& s) { return s.pending() > 0; });
  auto chunk = it->peek(options_.max_batch_messages);
  if (!chunk) {
    spdlog::critical("store writer {}: {}; the file is left in place for recovery", index_,
                     chunk.error().detail);
    go_offline(chunk.error());
    return;
  }
  std::vector<StoreRequest> requests;
  requests.reserve(chunk->receipts.size());
  for (auto& receipt : chunk->receipts) {
    auto interpretation = interpret(interpreter_, receipt);
    requests.push_back({std::move(receipt), std::move(interpretation)});
  }
  auto written = db_.write(requests);
  if (!written && is_transient(written.error())) {
    go_offline(written.error());
    return;
  }
  if (!written) {
    for (const auto& request : requests) {
      auto stored = store_or_keep_raw(request);
      if (!stored) {
        go_offline(stored.error());  // never drop a spooled message: try again later
        return;
      }
    }
  }
  it->mark_replayed(*chunk);
  note_spooled();
  if (it->pending() == 0) {
    finish_spool(it);
  }
}

void StoreWriter::finish_spool(std::vector<Spool>::iterator done) {
  if (done != spools_.end() - 1) {
    std::error_code ec;
    std::filesystem::remove(done->path(), ec);
    spdlog::info("store writer {}: replayed and removed {}", index_, done->path().string());
    spools_.erase(done);
    return;
  }
  if (auto error = done->clear()) {
    spdlog::error("store writer {}: {}", index_, error->detail);
  }
  spdlog::info("store writer {}: spool replayed; the store is online", index_);
}

void StoreWriter::go_offline(const StoreError& error) {
  db_.disconnect();
  next_attempt_ = Clock::now() + options_.reconnect_interval;
  if (!is_offline_announced_) {
    spdlog::warn("store writer {}: {}; degraded: spooling to {}", index_, error.detail,
                 spools_.back().path().string());
    is_offline_announced_ = true;
  }
  state_ = State::Offline;
  is_offline_ = true;
  std::lock_guard lock(mutex_);
  last_error_ = error.detail;
}

bool StoreWriter::has_spooled() const {
  return std::any_of(spools_.begin(), spools_.end(),
                     [](const Spool& s) { return s.pending() > 0; });
}

void StoreWriter::note_spooled() {
  std::size_t n = 0;
  for (const auto& s : spools_) {
    n += s.pending();
  }
  spooled_pending_ = n;
}

}  // namespace hemalink::store
