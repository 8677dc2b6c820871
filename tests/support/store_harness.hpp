#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/store/store.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::testing {

/// Store options for tests: one LIS destination "lis" taking every analyzer, and the defaults
/// without the ack budget, so that a commit slowed by a
/// loaded machine is not answered Spooled where a test expects Stored. Tests of the budget set
/// their own.
store::StoreOptions test_store_options();

/// A migrated test database, a spool directory of its own, and a Store over them.
class StoreHarness {
 public:
  /// `read`: what the store's writers make of a receipt submitted without content (and of a
  /// spooled one); by default an accepted message with nothing in it.
  explicit StoreHarness(store::StoreOptions options = test_store_options(),
                        std::function<records::MessageContent(const records::Receipt&)> read = {});
  ~StoreHarness();

  store::Store& store() { return *store_; }
  const std::string& dsn() const { return database_.dsn(); }
  const std::filesystem::path& spool_dir() const { return spool_dir_; }

  /// Starts (or restarts, after stop_store) the Store with the harness's options.
  void start_store();
  void stop_store();
  /// Restarts the Store with its connections going to `dsn` (the same database through a
  /// proxy); the harness's own queries still go straight to the database.
  void restart_store_through(std::string dsn);

  /// Submits every request and waits for every completion, returned in request order.
  std::vector<store::Completion> store_all(const std::vector<store::StoreRequest>& requests);

  /// The single value of `sql` as text ("" for NULL).
  std::string query_value(const std::string& sql) const;
  long long count(const std::string& sql) const { return std::stoll(query_value(sql)); }
  void execute(const std::string& sql) const { testing::execute(dsn(), sql); }
  /// Every row of `sql`, each field as text.
  std::vector<std::vector<std::string>> query_rows(const std::string& sql) const;

 private:
  TestDatabase database_;
  std::filesystem::path spool_dir_;
  store::StoreOptions options_;
  store::ReceiptReader reader_;
  std::unique_ptr<store::Store> store_;
};

/// Waits, up to `limit`, until `done()` holds; true if it did. For conditions another thread
/// brings about (a replay finishing), never a substitute for a completion.
bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit);

}  // namespace hemalink::testing
