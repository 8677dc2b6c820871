#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "server/store/result_archive.hpp"

namespace hemalink::store {

/// Past results read from the results table (its delta-check and specimen indexes) for the rules'
/// cache, over a connection of its own. After a failure it does not try again for a second,
/// answering "cannot read" at once: the decisions that needed history are then held.
class DatabaseResultArchive final : public ResultArchive {
 public:
  explicit DatabaseResultArchive(std::string dsn);
  ~DatabaseResultArchive() override;

  std::optional<std::vector<PatientResult>> patient_results(
      std::string_view patient_id, std::string_view code,
      std::chrono::system_clock::time_point since) override;
  std::optional<std::vector<SpecimenResult>> specimen_results(
      std::string_view specimen_id) override;

 private:
  struct Connection;  // the libpqxx connection, kept out of this header
  template <typename Read>
  auto with_connection(Read read) -> decltype(read(std::declval<Connection&>()));

  std::string dsn_;
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
  std::chrono::steady_clock::time_point quiet_until_{};
};

}  // namespace hemalink::store
