#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/store/errc.hpp"

namespace hemalink::store {

/// One forward-only migration: schema/NNNN_description.sql.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// The migrations of schema/, in version order, compiled into the binary.
std::span<const Migration> shipped_migrations();

struct MigrationReport {
  std::vector<std::string> applied;  ///< Names of the migrations this run applied.
  int version = 0;                   ///< The schema version afterwards.
};

/// Brings the database at `dsn` (a libpq connection string or URL) up to the last of
/// `migrations`. Each migration runs in its own transaction and is recorded in
/// schema_migrations with a checksum of its text, so a failed migration leaves the database as
/// it was before it, and running twice changes nothing. Concurrent runs (two daemons starting)
/// are serialized with an advisory lock. Fails with StoreErrc::MigrationChanged when an applied
/// migration's text differs from this binary's, SchemaTooNew when the database has versions this
/// binary lacks, Retryable when the database cannot be reached, Fatal when a migration fails (the
/// detail names it and quotes PostgreSQL).
Result<MigrationReport, StoreError> migrate(const std::string& dsn,
                                            std::span<const Migration> migrations);

/// A stable checksum of a migration's text (FNV-1a 64, hex).
std::string migration_checksum(std::string_view sql);

}  // namespace hemalink::store
