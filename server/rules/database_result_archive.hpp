#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/rules/result_archive.hpp"

namespace hemalink::rules {

/// Past results read from the results table (its delta-check and specimen indexes) for the rules'
/// cache. Each read takes a connection of a small pool (one per concurrent reader, opened when
/// first needed, with a 2 s connect timeout) and puts it back: there is no lock held across a
/// query. A query running longer than `statement_timeout` is cancelled by the server. After a
/// failure it does not try again for a second, answering "cannot read" at once: the decisions
/// that needed history are then held.
class DatabaseResultArchive final : public ResultArchive {
 public:
  explicit DatabaseResultArchive(std::string dsn, std::chrono::milliseconds statement_timeout =
                                                      std::chrono::milliseconds(500));
  ~DatabaseResultArchive() override;

  std::optional<std::vector<PatientResult>> patient_results(
      std::string_view patient_id, std::string_view code,
      std::chrono::system_clock::time_point since) override;
  std::optional<std::vector<SpecimenResult>> specimen_results(
      std::string_view specimen_id) override;
  /// One statement, one round trip, for the whole query.
  std::optional<Histories> histories(const HistoryQuery& query) override;

  /// Opens `connections` of the pool now and plans their statement, so that the first messages
  /// after a start do not wait for that. A database that cannot be reached is logged and left
  /// for the first read to try.
  void warm_up(std::size_t connections);

  /// Connections opened so far and not closed (for tests: the pool grows only with concurrency).
  std::size_t connections() const;

 private:
  struct Connection;  // the libpqxx connection, kept out of this header
  template <typename Read>
  auto with_connection(Read read) -> decltype(read(std::declval<Connection&>()));
  std::unique_ptr<Connection> take();
  void give_back(std::unique_ptr<Connection> connection);

  std::string dsn_;
  std::chrono::milliseconds statement_timeout_;
  mutable std::mutex mutex_;  // guards idle_ only; never held across a query
  std::vector<std::unique_ptr<Connection>> idle_;
  std::atomic<std::size_t> open_{0};
  std::atomic<std::chrono::steady_clock::rep> quiet_until_{0};
};

}  // namespace hemalink::rules
