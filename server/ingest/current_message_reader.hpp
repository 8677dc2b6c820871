#pragma once

#include <memory>
#include <mutex>

#include "server/ingest/message_reader.hpp"

namespace hemalink::ingest {

/// The reader in force: what the store's writers read each batch with, live or replayed from the
/// spool. SIGHUP replaces it (new mapping tables, new rules) while connections stay up; a batch
/// already being read finishes with the one it started with.
class CurrentMessageReader {
 public:
  explicit CurrentMessageReader(std::shared_ptr<const MessageReader> reader)
      : reader_(std::move(reader)) {}

  std::shared_ptr<const MessageReader> get() const {
    std::lock_guard lock(mutex_);
    return reader_;
  }

  void replace(std::shared_ptr<const MessageReader> reader) {
    std::lock_guard lock(mutex_);
    reader_ = std::move(reader);
  }

  std::vector<records::MessageContent> read(
      std::span<const records::Receipt* const> receipts) const {
    return get()->read(receipts);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const MessageReader> reader_;
};

}  // namespace hemalink::ingest
