#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/records/lis_routes.hpp"
#include "server/store/batch_rows.hpp"
#include "server/store/errc.hpp"
#include "server/store/store_request.hpp"

namespace pqxx {
class result;
class transaction_base;
}  // namespace pqxx

namespace hemalink::store {

/// One database connection that writes batches of messages, each batch in one transaction: the
/// raw messages, their specimens and results, one decision per result, and an outbox row per
/// specimen with released results. A small batch is ONE statement that commits by itself (one
/// round trip), each table's rows one JSON parameter; a large one goes by COPY. Result and
/// specimen IDs come from a pool drawn from their sequences a block at a time, so that decisions
/// and outbox rows can name them. Used by one thread at a time (a store writer thread); blocking.
class BatchWriter {
 public:
  /// `analyzers` (name, driver): their rows are made sure of at each connection.
  BatchWriter(std::string dsn, records::LisRoutes routes,
              std::vector<std::pair<std::string, std::string>> analyzers = {});
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  /// Connects if not connected. Retryable when the database cannot be reached.
  Result<void, StoreError> connect();
  bool is_connected() const;
  void disconnect();

  /// Writes `batch` in one statement and returns one Completion per request, in order:
  /// Stored, AlreadyStored (its ID was stored before, or earlier in this batch) or Duplicate
  /// (same analyzer, same bytes as an accepted message). On error nothing of the batch is
  /// committed (except for InDoubt, where the commit's fate is unknown) and the connection is
  /// dropped when it can no longer be trusted.
  Result<std::vector<Completion>, StoreError> write(std::span<const StoreRequest* const> batch);

  /// Wakes the LIS senders (NOTIFY hemalink_outbox) for the destinations of the outbox rows
  /// committed since the last call: after the commit, in a statement of its own, so that writers'
  /// commits never wait on one another's notification. A failure is logged and forgotten (the
  /// senders' poll finds the rows).
  void announce_outbox();

  /// Which messages of `batch` the database has, by message ID, in order: what settles a write
  /// whose commit came back InDoubt. Connects if not connected; Retryable when it cannot ask.
  Result<std::vector<bool>, StoreError> stored(std::span<const StoreRequest* const> batch);

 private:
  struct Session;

  Result<std::vector<Completion>, StoreError> write_connected(
      std::span<const StoreRequest* const> batch);
  struct AnalyzerSeen {
    std::chrono::steady_clock::time_point at;
    model::Analyzer reported;
  };
  struct Plan {
    std::string id;  // the message ID as text, as PostgreSQL returns it
    long long analyzer_id = 0;
    bool is_repeat = false;  // its ID came earlier in this batch
    std::string resend_key;
    std::optional<model::MessageId> duplicate_of;
    bool has_results = false;  // its specimens, results and decisions are sent
  };
  struct StoredRow {
    std::string status;
    std::string duplicate_of;
  };
  using Stored = std::map<std::string, StoredRow>;  ///< By message ID: what was stored now.

  std::vector<Plan> plan(std::span<const StoreRequest* const> batch);
  std::string message_rows(std::span<const StoreRequest* const> batch,
                           const std::vector<Plan>& plans, RowForm form);
  BatchRows result_rows(pqxx::transaction_base& tx, std::span<const StoreRequest* const> batch,
                        const std::vector<Plan>& plans, RowForm form);
  Result<Stored, StoreError> write_in_one_statement(std::span<const StoreRequest* const> batch,
                                                    const std::vector<Plan>& plans,
                                                    const std::string& touches);
  Result<Stored, StoreError> write_by_copy(std::span<const StoreRequest* const> batch,
                                           std::vector<Plan>& plans, const std::string& touches);
  static Stored stored_rows(const pqxx::result& answer);
  void draw_ids(pqxx::transaction_base& tx, std::size_t specimens, std::size_t results);
  std::string analyzers_to_touch(std::span<const StoreRequest* const> batch,
                                 const std::vector<Plan>& plans,
                                 std::vector<std::pair<long long, AnalyzerSeen>>& touched);

  long long analyzer_id(const records::Receipt& receipt);
  bool is_fresh(long long id, const AnalyzerSeen& now) const;

  void know_analyzers(pqxx::transaction_base& tx);

  std::string dsn_;
  records::LisRoutes routes_;
  std::vector<std::pair<std::string, std::string>> analyzers_;
  std::unique_ptr<Session> session_;
  std::map<std::string, long long> analyzer_ids_;
  std::map<long long, AnalyzerSeen> analyzers_seen_;
  IdPool ids_;
  std::set<std::string> unannounced_;  ///< Destinations of outbox rows committed, not announced.
};

}  // namespace hemalink::store
