#pragma once

#include <memory>
#include <string>
#include <vector>

namespace hemalink::testing {

/// A fresh, empty database in the private PostgreSQL cluster that `scripts/dev.sh test` starts
/// ($HEMALINK_TEST_PG: libpq keywords without dbname), dropped when the object goes away.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// True when a cluster is configured; tests skip otherwise.
  static bool is_available();
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string dsn_;
};

/// A transaction holding `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` from construction until
/// release() or destruction: every reader and writer of the table waits meanwhile.
class TableLock {
 public:
  TableLock(const std::string& dsn, const std::string& table);
  ~TableLock();
  TableLock(const TableLock&) = delete;
  TableLock& operator=(const TableLock&) = delete;
  void release();

 private:
  struct Held;
  std::unique_ptr<Held> held_;
};

/// The single value of `sql` as text ("" for NULL), read from the database at `dsn`.
std::string query_value(const std::string& dsn, const std::string& sql);
/// Runs `sql` (a change the test makes behind the product's back) in its own transaction.
void execute(const std::string& dsn, const std::string& sql);
/// Every row of `sql`, each field as text.
std::vector<std::vector<std::string>> query_rows(const std::string& dsn, const std::string& sql);

}  // namespace hemalink::testing

/// Skips the current test when no private PostgreSQL cluster is configured.
#define HL_REQUIRE_POSTGRES()                                                                    \
  do {                                                                                           \
    if (!::hemalink::testing::TestDatabase::is_available()) {                                    \
      GTEST_SKIP() << "HEMALINK_TEST_PG not set: run through scripts/dev.sh test, which starts " \
                      "a private PostgreSQL";                                                    \
    }                                                                                            \
  } while (false)
