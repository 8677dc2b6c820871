#include "server/store/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>

namespace hemalink::store {
namespace {

// One lock key for every hemalink, so two daemons starting at once migrate one after the other.
constexpr std::int64_t kMigrationLock = 0x48454D414C494E4BLL;  // "HEMALINK"

struct Applied {
  std::string name;
  std::string checksum;
};

std::map<int, Applied> read_applied(pqxx::connection& c) {
  {
    pqxx::work w(c, "schema_migrations");
    w.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " name text NOT NULL,"
        " checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    w.commit();
  }
  std::map<int, Applied> applied;
  pqxx::read_transaction r(c);
  for (const auto& row : r.exec("SELECT version, name, checksum FROM schema_migrations")) {
    applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

Result<void, StoreError> check_applied(const std::map<int, Applied>& applied,
                                       std::span<const Migration> migrations) {
  for (const auto& [version, record] : applied) {
    auto it = std::find_if(migrations.begin(), migrations.end(),
                           [&](const Migration& m) { return m.version == version; });
    if (it == migrations.end()) {
      return StoreError{make_error_code(StoreErrc::SchemaTooNew),
                        fmt::format("the database has migration {} ({}), which this hemalink "
                                    "does not know: it was migrated by a newer version",
                                    version, record.name)};
    }
    if (record.checksum != migration_checksum(it->sql)) {
      return StoreError{make_error_code(StoreErrc::MigrationChanged),
                        fmt::format("migration {} was changed after it was applied (checksum {} "
                                    "in the database, {} here): add a new migration instead",
                                    it->name, record.checksum, migration_checksum(it->sql))};
    }
  }
  return {};
}

}  // namespace

std::string migration_checksum(std::string_view sql) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : sql) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

Result<MigrationReport, StoreError> migrate(const std::string& dsn,
                                            std::span<const Migration> migrations) {
  const Migration* current = nullptr;
  try {
    pqxx::connection c(dsn);
    {
      pqxx::nontransaction n(c);
      n.exec(fmt::format("SELECT pg_advisory_lock({})", kMigrationLock));
    }
    const auto applied = read_applied(c);
    if (auto known = check_applied(applied, migrations); !known) {
      return known.error();
    }
    MigrationReport report;
    report.version = applied.empty() ? 0 : applied.rbegin()->first;
    for (const auto& m : migrations) {
      if (applied.count(m.version) != 0) {
        continue;
      }
      current = &m;
      pqxx::work w(c, "migration");
      w.exec(std::string(m.sql));
      w.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version, std::string(m.name), migration_checksum(m.sql));
      w.commit();
      report.applied.emplace_back(m.name);
      report.version = std::max(report.version, m.version);
    }
    pqxx::nontransaction n(c);
    n.exec(fmt::format("SELECT pg_advisory_unlock({})", kMigrationLock));
    return report;
  } catch (const pqxx::broken_connection& e) {
    return StoreError{make_error_code(StoreErrc::Retryable),
                      fmt::format("cannot reach the database: {}", e.what())};
  } catch (const pqxx::in_doubt_error& e) {
    return StoreError{make_error_code(StoreErrc::InDoubt),
                      fmt::format("migration {}: commit outcome unknown: {}",
                                  current ? current->name : "", e.what())};
  } catch (const std::exception& e) {
    return StoreError{make_error_code(StoreErrc::Fatal),
                      current ? fmt::format("migration {} failed and was rolled back: {}",
                                            current->name, e.what())
                              : fmt::format("reading schema_migrations: {}", e.what())};
  }
}

}  // namespace hemalink::store
