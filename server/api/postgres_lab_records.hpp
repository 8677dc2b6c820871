#pragma once

#include <string>

#include "server/records/lab_records.hpp"

namespace hemalink::api {

/// The lab's records read from PostgreSQL, each document built by the SQL (json_build_object),
/// each call on the calling thread's connection to `dsn` (store::thread_connection).
class PostgresLabRecords final : public records::LabRecords {
 public:
  explicit PostgresLabRecords(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<std::string, Error> search_results(const records::ResultQuery& query) const override;
  Result<std::optional<std::string>, Error> specimen(const std::string& specimen_id) const override;
  Result<std::optional<std::string>, Error> message(const std::string& message_id) const override;
  Result<std::string, Error> audit(const std::optional<std::string>& entity,
                                   const std::optional<std::string>& since,
                                   std::size_t limit) const override;
  Result<std::string, Error> analyzer_rows() const override;
  Result<std::string, Error> analyzer_messages_since(const std::string& since) const override;
  Result<std::string, Error> rule_firings(const std::optional<std::string>& since) const override;
  Result<void, Error> ping() const override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::api
