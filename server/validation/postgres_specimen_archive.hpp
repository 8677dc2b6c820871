#pragma once

#include <memory>
#include <string>

#include "server/validation/specimen_archive.hpp"

namespace hemalink::validation {

/// The archive in PostgreSQL, read on a connection of its own (no statement timeout: a backtest
/// reads years), a window of arrival times at a time (each window about `batch` specimens, its
/// rows sorted by the server), so that memory holds one window whatever the archive's size.
/// Errors carry a store::StoreErrc.
class PostgresSpecimenArchive final : public SpecimenArchive {
 public:
  explicit PostgresSpecimenArchive(std::string dsn, std::size_t batch = 2000);
  ~PostgresSpecimenArchive() override;

  Result<long long, Error> count(const ArchivePeriod& period) override;
  Result<void, Error> replay(
      const ArchivePeriod& period,
      const std::function<bool(std::vector<ArchivedSpecimen>& batch)>& take) override;
  Result<qc::QcHistory, Error> quality_control(const ArchivePeriod& period) override;
  Result<bool, Error> has_orders() override;

 private:
  struct Connection;  // the libpqxx connection, kept out of this header
  template <typename Work>
  auto with_connection(std::string_view during, Work work)
      -> decltype(work(std::declval<Connection&>()));

  std::string dsn_;
  std::size_t batch_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace hemalink::validation
