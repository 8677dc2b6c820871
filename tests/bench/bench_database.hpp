#pragma once

// Benchmarks on the private cluster of scripts/dev.sh bench (--pg "host=DIR user=postgres").

#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

#include "server/store/migrations.hpp"

namespace hemalink::bench {

/// A fresh migrated database `name` in the cluster `pg` (libpq keywords without dbname); returns
/// its DSN.
inline std::string fresh_database(const std::string& pg, const std::string& name) {
  pqxx::connection admin(pg + " dbname=postgres");
  pqxx::nontransaction n(admin);
  n.exec("DROP DATABASE IF EXISTS " + name);
  n.exec("CREATE DATABASE " + name);
  const auto dsn = pg + " dbname=" + name;
  if (!store::migrate(dsn, store::shipped_migrations())) {
    throw std::runtime_error("cannot migrate " + name);
  }
  return dsn;
}

}  // namespace hemalink::bench
