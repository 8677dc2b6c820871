#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::store {

/// What the spool found when it opened its file.
struct SpoolRecovery {
  std::size_t records = 0;             ///< Receipts waiting to be replayed.
  std::uint64_t torn_bytes = 0;        ///< A half-written record at the end, cut off.
  std::uint64_t damaged_bytes = 0;     ///< Bytes skipped in the middle (bad checksum).
  std::filesystem::path damaged_copy;  ///< Where the file was copied before skipping them.
};

/// The next receipts to replay.
struct SpoolChunk {
  std::vector<records::Receipt> receipts;
};

/// An append-only file of receipts kept while the database is unreachable. Each record is
/// framed (magic, length, CRC-32) and the file is fsync'd before append() returns, so what was
/// acknowledged survives a crash; a record torn by a crash mid-write is cut off when the file is
/// opened again. Replay reads in order from a cursor; clear() empties the file once everything
/// is in the database. Replaying twice is harmless: the store skips IDs it already has. Not
/// thread-safe: one writer thread owns it.
class Spool {
 public:
  ~Spool();
  Spool(Spool&&) noexcept;
  Spool& operator=(Spool&&) noexcept;

  /// Opens or creates the spool at `path` and checks every record in it.
  static Result<Spool, StoreError> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const SpoolRecovery& recovery() const { return recovery_; }

  /// Appends the receipts and fsyncs. On error nothing is promised about them (the caller must
  /// not acknowledge).
  Result<void, StoreError> append(std::span<const records::Receipt* const> receipts);

  /// Up to `max` receipts from the replay cursor (without moving it).
  Result<SpoolChunk, StoreError> peek(std::size_t max) const;
  /// Moves the replay cursor past a chunk that is now in the database.
  void mark_replayed(const SpoolChunk& chunk);

  /// Receipts appended and not yet replayed.
  std::size_t pending() const { return pending_; }

  /// Empties the file (after a full replay) and fsyncs.
  Result<void, StoreError> clear();

 private:
  Spool() = default;
  Result<void, StoreError> scan();

  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::vector<std::uint64_t> records_;  ///< Where each valid record starts.
  std::size_t next_ = 0;                ///< The first record not yet replayed.
  std::size_t pending_ = 0;
  SpoolRecovery recovery_;
};

/// Serialises a receipt as a spool record's payload, and back. Exposed for tests.
std::string encode_receipt(const records::Receipt& receipt);
std::optional<records::Receipt> decode_receipt(std::string_view payload);

}  // namespace hemalink::store
