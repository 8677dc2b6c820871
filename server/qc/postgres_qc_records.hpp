#pragma once

#include <string>

#include "server/qc/qc_records.hpp"

namespace hemalink::qc {

/// Quality control's records read from PostgreSQL, each call on the calling thread's connection
/// to `dsn`.
class PostgresQcRecords final : public QcRecords {
 public:
  explicit PostgresQcRecords(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<std::string, Error> series(const QcSeriesQuery& q) const override;
  Result<std::string, Error> bracket(const std::string& analyzer,
                                     const std::string& test) const override;
  Result<std::string, Error> held() const override;
  Result<std::string, Error> held_group(const std::string& analyzer, const std::string& test,
                                        const std::string& rejected_at) const override;
  Result<std::string, Error> averages(const std::string& analyzer, const std::string& test,
                                      const std::optional<std::string>& since,
                                      std::size_t limit) const override;
  Result<std::string, Error> latest_averages(
      const std::optional<std::string>& analyzer) const override;
  Result<QcDefinitionRow, Error> put_definition(const QcDefinitionRow& row) override;

 private:
  std::string dsn_;
};

}  // namespace hemalink::qc
