#include "tests/support/test_database.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

namespace hemalink::testing {
namespace {

std::string base() {
  const char* env = std::getenv("HEMALINK_TEST_PG");
  return env != nullptr ? env : "";
}

void admin(const std::string& sql) {
  pqxx::connection c(base() + " dbname=postgres");
  pqxx::nontransaction n(c);
  n.exec(sql);
}

}  // namespace

bool TestDatabase::is_available() {
  return !base().empty();
}

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  name_ = fmt::format("hemalink_test_{}_{}", ::getpid(), counter++);
  admin(fmt::format("CREATE DATABASE {}", name_));
  dsn_ = fmt::format("{} dbname={}", base(), name_);
}

TestDatabase::~TestDatabase() {
  try {
    admin(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
  } catch (const std::exception&) {
    // The cluster is torn down after the suite anyway.
  }
}

std::string query_value(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::read_transaction r(c);
  const auto row = r.exec1(sql);
  return row[0].is_null() ? "" : row[0].as<std::string>();
}

void execute(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::work w(c);
  w.exec(sql);
  w.commit();
}

std::vector<std::vector<std::string>> query_rows(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::read_transaction r(c);
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : r.exec(sql)) {
    auto& out = rows.emplace_back();
    for (const auto& field : row) {
      out.push_back(field.is_null() ? "" : field.as<std::string>());
    }
  }
  return rows;
}

struct TableLock::Held {
  explicit Held(const std::string& dsn) : connection(dsn), work(connection) {}
  pqxx::connection connection;
  pqxx::work work;
};

TableLock::TableLock(const std::string& dsn, const std::string& table)
    : held_(std::make_unique<Held>(dsn)) {
  held_->work.exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
}

TableLock::~TableLock() = default;

void TableLock::release() {
  held_.reset();  // the transaction rolls back, and the lock goes with it
}

}  // namespace hemalink::testing
