#include "server/store/store_writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace hemalink::store {

using records::MessageContent;
using records::MessageStatus;
using records::Receipt;
using records::summarize;

namespace {

using Clock = std::chrono::steady_clock;

// InDoubt never gets here: write() settles it first.
bool is_transient(const StoreError& error) {
  return error.code == StoreErrc::Retryable;
}

std::vector<const StoreRequest*> requests_of(const std::vector<std::shared_ptr<Ticket>>& batch) {
  std::vector<const StoreRequest*> requests;
  requests.reserve(batch.size());
  for (const auto& ticket : batch) {
    requests.push_back(&ticket->request);
  }
  return requests;
}

// Kept raw with the reason when the database refuses the message's results: nothing received is
// lost, and the review queue shows why.
StoreRequest raw_only(const StoreRequest& request, const StoreError& refusal) {
  StoreRequest copy{request.receipt, MessageContent{}};
  copy.content->status = MessageStatus::Rejected;
  copy.content->control_id = request.content->control_id;
  copy.content->reject_reason =
      fmt::format("stored raw only: the database refused its results ({})", refusal.detail);
  return copy;
}

// Contents for `receipts`, in order. A reader that throws (a bug) leaves the message it threw on
// rejected with the reason, kept raw: nothing received is lost. Its batch-mates are read again
// one by one, so that one message's bug rejects no other.
std::vector<MessageContent> read(const ReceiptReader& reader,
                                 std::span<const Receipt* const> receipts) {
  try {
    auto contents = reader(receipts);
    if (contents.size() == receipts.size()) {
      return contents;
    }
    throw std::logic_error(
        fmt::format("{} contents for {} messages", contents.size(), receipts.size()));
  } catch (const std::exception& e) {
    if (receipts.size() > 1) {
      std::vector<MessageContent> contents;
      for (const auto* receipt : receipts) {
        contents.push_back(std::move(read(reader, std::span(&receipt, 1)).front()));
      }
      return contents;
    }
    MessageContent failed;
    failed.status = MessageStatus::Rejected;
    failed.reject_reason = fmt::format("could not be read: {}", e.what());
    return {std::move(failed)};
  }
}

}  // namespace

void Ticket::complete(Completion completion) {
  if (finished.exchange(true))
    return;
  if (counts)
    counts->add(request.receipt, completion);  // first: the API never lags what an analyzer heard
  if (done)
    done(completion);
  if (on_completed) {
    for (const auto& hook : *on_completed) {
      hook(request.receipt, completion);  // last: no event delays an acknowledgement
    }
  }
}

void Ticket::complete_over_budget(Completion completion) {
  if (completion.outcome == StoreOutcome::Spooled) {
    completion.detail = "not committed within the ack budget";
  }
  completion.committed_at = Clock::now();
  complete(std::move(completion));
}

void Ticket::complete_read(Completion completion) {
  if (request.content) {
    completion.content = summarize(*request.content);
    completion.read_at = read_at;
  }
  completion.committed_at = Clock::now();
  complete(std::move(completion));
}

StoreWriter::StoreWriter(std::size_t index, const StoreOptions& options, ReceiptReader reader,
                         std::vector<Spool> spools)
    : index_(index),
      options_(options),
      reader_(std::move(reader)),
      db_(options.dsn, options.lis_routes, options.analyzers),
      spools_(std::move(spools)) {
  note_spooled();
  thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
  stop();
}

bool StoreWriter::enqueue(std::shared_ptr<Ticket> ticket, std::size_t max_queued) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued) {
      return false;
    }
    queue_.push_back(std::move(ticket));
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
  health.spooled_over_budget += spooled_over_budget_.load();
  health.commits_in_doubt += in_doubt_.load();
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
    if (!batch.empty()) {
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
  in_flight_.clear();
  wake_.wait_until(lock, idle_until(), [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) {
    return batch;
  }
  if (options_.max_batch_wait.count() > 0) {
    const auto close_at = Clock::now() + options_.max_batch_wait;
    wake_.wait_until(lock, close_at,
                     [&] { return stopping_ || queue_.size() >= options_.max_batch_messages; });
  }
  while (!queue_.empty() && batch.size() < options_.max_batch_messages) {
    // One the watchdog spooled is in the spool already, in order: nothing left to do.
    if (!queue_.front()->finished) {
      batch.push_back(queue_.front());
    }
    queue_.pop_front();
  }
  in_flight_ = batch;
  return batch;
}

void StoreWriter::spool_overdue(Clock::time_point now) {
  Batch overdue;
  {
    std::lock_guard lock(mutex_);
    auto is_overdue = [&](const std::shared_ptr<Ticket>& t) {
      return !t->finished && t->deadline <= now;
    };
    std::copy_if(in_flight_.begin(), in_flight_.end(), std::back_inserter(overdue), is_overdue);
    std::copy_if(queue_.begin(), queue_.end(), std::back_inserter(overdue), is_overdue);
  }
  if (overdue.empty()) {
    return;
  }
  spdlog::warn(
      "store writer {}: {} messages not committed within {} ms: spooled and "
      "acknowledged",
      index_, overdue.size(),
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.ack_budget).count());
  spooled_over_budget_ += overdue.size();
  spool_unread(overdue);
}

// Read before anything else, online or not: the acknowledgement says what was read (an HL7 AE
// for a message that does not parse), even of a message only spooled.
void StoreWriter::read_unread(Batch& batch) {
  std::vector<const Receipt*> receipts;
  for (const auto& ticket : batch) {
    if (!ticket->request.content) {
      receipts.push_back(&ticket->request.receipt);
    }
  }
  if (receipts.empty()) {
    return;
  }
  auto contents = read(reader_, receipts);
  const auto now = Clock::now();
  auto content = contents.begin();
  for (auto& ticket : batch) {
    if (!ticket->request.content) {
      ticket->request.content = std::move(*content++);
      ticket->read_at = now;
    }
  }
}

void StoreWriter::handle(Batch& batch) {
  read_unread(batch);
  if (state_ == State::Offline || has_spooled()) {
    spool(batch, 0);
    return;
  }
  auto written = write(requests_of(batch));
  if (written) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      note_committed(batch[i]->request, (*written)[i]);
      batch[i]->complete_read(std::move((*written)[i]));
    }
    db_.announce_outbox();  // after the acknowledgements: not on the analyzers' path
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
  db_.announce_outbox();
}

// A commit whose outcome is unknown (the connection broke during COMMIT) is settled before anything
// else happens to its messages: the database is asked which of them it has. All of them: the
// commit happened, and they are Stored (a message whose ID was stored before this batch is
// reported Stored too: durable either way, and the rules' cache learns its results once more,
// which changes no answer). Otherwise it did not (one transaction commits all or nothing), and
// the batch is written again; a message stored earlier comes back AlreadyStored.
// When the database cannot be asked, the error is Retryable: the batch is spooled, and the
// replay, which recognises stored message IDs, stores each message once.
Result<std::vector<Completion>, StoreError> StoreWriter::write(
    std::span<const StoreRequest* const> batch) {
  auto written = db_.write(batch);
  if (written || written.error().code != StoreErrc::InDoubt) {
    return written;
  }
  ++in_doubt_;
  spdlog::error("store writer {}: {}; asking the database which of the {} messages it has", index_,
                written.error().detail, batch.size());
  auto stored = db_.stored(batch);
  if (!stored) {
    return stored.error();
  }
  if (std::all_of(stored->begin(), stored->end(), [](bool is_stored) { return is_stored; })) {
    spdlog::warn("store writer {}: the commit in doubt happened: {} messages stored", index_,
                 batch.size());
    return std::vector<Completion>(batch.size(), Completion{StoreOutcome::Stored, ""});
  }
  spdlog::warn("store writer {}: the commit in doubt did not happen: writing again", index_);
  written = db_.write(batch);
  if (!written && written.error().code == StoreErrc::InDoubt) {
    return StoreError{make_error_code(StoreErrc::Retryable), written.error().detail};
  }
  return written;
}

void StoreWriter::store_one_by_one(Batch& batch, std::size_t from) {
  for (std::size_t i = from; i < batch.size(); ++i) {
    auto stored = store_or_keep_raw(batch[i]->request);
    if (stored) {
      batch[i]->complete_read(std::move(*stored));
    } else if (is_transient(stored.error())) {
      go_offline(stored.error());
      spool(batch, i);
      return;
    } else {
      batch[i]->complete_read(Completion(stored.error()));
    }
  }
}

Result<Completion, StoreError> StoreWriter::store_or_keep_raw(const StoreRequest& request) {
  const StoreRequest* one = &request;
  auto written = write(std::span(&one, 1));
  if (written) {
    note_committed(request, (*written)[0]);
    return std::move((*written)[0]);
  }
  if (is_transient(written.error())) {
    return written.error();
  }
  spdlog::error("store writer {}: message {} from {}: {}; keeping it raw", index_,
                request.receipt.id.to_string(), request.receipt.analyzer, written.error().detail);
  const auto raw = raw_only(request, written.error());
  const StoreRequest* raw_one = &raw;
  auto kept = write(std::span(&raw_one, 1));
  if (!kept) {
    return kept.error();
  }
  auto completion = std::move((*kept)[0]);
  completion.detail = raw.content->reject_reason;
  return completion;
}

void StoreWriter::spool(Batch& batch, std::size_t from) {
  spool(batch, from, &Ticket::complete_read);
}

// The watchdog's thread: the writer may be reading these very tickets, so their completions say
// nothing of their content.
void StoreWriter::spool_unread(Batch& batch) {
  spool(batch, 0, &Ticket::complete_over_budget);
}

void StoreWriter::spool(Batch& batch, std::size_t from, void (Ticket::*complete)(Completion)) {
  std::vector<const Receipt*> receipts;
  for (std::size_t i = from; i < batch.size(); ++i) {
    receipts.push_back(&batch[i]->request.receipt);
  }
  Result<void, StoreError> appended;
  {
    std::lock_guard lock(spool_mutex_);
    appended = spools_.back().append(receipts);
  }
  note_spooled();
  for (std::size_t i = from; i < batch.size(); ++i) {
    if (!appended) {
      ((*batch[i]).*complete)(
          Completion(Error{appended.error().code, fmt::format("the database is unreachable and {}",
                                                              appended.error().detail)}));
    } else {
      ((*batch[i]).*complete)({StoreOutcome::Spooled, ""});
    }
  }
  if (!appended) {
    spdlog::critical("store writer {}: {}", index_, appended.error().detail);
  }
}

void StoreWriter::reconnect_if_due() {
  if (state_ == State::Online || Clock::now() < next_attempt_) {
    return;
  }
  if (auto connected = db_.connect(); !connected) {
    go_offline(connected.error());
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
  std::unique_lock spool_lock(spool_mutex_);
  auto it =
      std::find_if(spools_.begin(), spools_.end(), [](const Spool& s) { return s.pending() > 0; });
  auto chunk = it->peek(options_.max_batch_messages);
  spool_lock.unlock();  // the watchdog appends at the end; this chunk stays valid
  if (!chunk) {
    spdlog::critical("store writer {}: {}; the file is left in place for recovery", index_,
                     chunk.error().detail);
    go_offline(chunk.error());
    return;
  }
  std::vector<const Receipt*> receipts;
  for (const auto& receipt : chunk->receipts) {
    receipts.push_back(&receipt);
  }
  auto contents = read(reader_, receipts);
  std::vector<StoreRequest> requests;
  requests.reserve(chunk->receipts.size());
  for (std::size_t i = 0; i < chunk->receipts.size(); ++i) {
    requests.push_back({std::move(chunk->receipts[i]), std::move(contents[i])});
  }
  std::vector<const StoreRequest*> pointers;
  for (const auto& r : requests) {
    pointers.push_back(&r);
  }
  auto written = write(pointers);
  if (!written && is_transient(written.error())) {
    go_offline(written.error());
    return;
  }
  if (written) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      note_committed(requests[i], (*written)[i]);
    }
  } else {
    for (const auto& request : requests) {
      auto stored = store_or_keep_raw(request);
      if (!stored) {
        go_offline(stored.error());  // never drop a spooled message: try again later
        return;
      }
    }
  }
  db_.announce_outbox();
  spool_lock.lock();
  it->mark_replayed(*chunk);
  if (it->pending() == 0) {
    finish_spool(it);
  }
  spool_lock.unlock();
  note_spooled();
}

void StoreWriter::note_committed(const StoreRequest& request, const Completion& completion) {
  if (completion.outcome != StoreOutcome::Stored) {
    return;
  }
  for (const auto& hook : options_.on_committed) {
    hook(request);
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
  if (auto cleared = done->clear(); !cleared) {
    spdlog::error("store writer {}: {}", index_, cleared.error().detail);
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
  std::lock_guard lock(spool_mutex_);
  return std::any_of(spools_.begin(), spools_.end(),
                     [](const Spool& s) { return s.pending() > 0; });
}

void StoreWriter::note_spooled() {
  std::lock_guard lock(spool_mutex_);
  std::size_t n = 0;
  for (const auto& s : spools_) {
    n += s.pending();
  }
  spooled_pending_ = n;
}

}  // namespace hemalink::store
