#include "tests/support/store_harness.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "server/store/migrations.hpp"

namespace hemalink::testing {

store::StoreOptions test_store_options() {
  store::StoreOptions options;
  options.ack_budget = std::chrono::milliseconds(0);
  options.lis_routes = {{"lis", {}}};
  return options;
}

StoreHarness::StoreHarness(store::StoreOptions options,
                           std::function<records::MessageContent(const records::Receipt&)> read)
    : options_(std::move(options)) {
  auto migrated = store::migrate(database_.dsn(), store::shipped_migrations());
  if (!migrated) {
    throw std::runtime_error(migrated.error().detail);
  }
  spool_dir_ = std::filesystem::temp_directory_path() /
               ("hemalink-store-test-" + model::MessageId::generate().to_string());
  options_.dsn = database_.dsn();
  options_.spool_dir = spool_dir_;
  if (!read) {
    read = [](const records::Receipt&) { return records::MessageContent{}; };
  }
  reader_ = store::read_each(std::move(read));
  start_store();
}

StoreHarness::~StoreHarness() {
  stop_store();
  std::error_code ec;
  std::filesystem::remove_all(spool_dir_, ec);
}

void StoreHarness::start_store() {
  store_ = std::make_unique<store::Store>(options_, reader_);
}

void StoreHarness::stop_store() {
  store_.reset();
}

void StoreHarness::restart_store_through(std::string dsn) {
  stop_store();
  options_.dsn = std::move(dsn);
  start_store();
}

std::vector<store::Completion> StoreHarness::store_all(
    const std::vector<store::StoreRequest>& requests) {
  std::vector<store::Completion> done(requests.size());
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t remaining = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto submitted = store_->submit(requests[i], [&, i](const store::Completion& c) {
      std::lock_guard lock(mutex);
      done[i] = c;
      --remaining;
      cv.notify_all();
    });
    if (!submitted) {
      ADD_FAILURE() << "submit refused: " << submitted.error().detail;
      std::lock_guard lock(mutex);
      --remaining;
    }
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return remaining == 0; });
  return done;
}

std::string StoreHarness::query_value(const std::string& sql) const {
  return testing::query_value(database_.dsn(), sql);
}

std::vector<std::vector<std::string>> StoreHarness::query_rows(const std::string& sql) const {
  return testing::query_rows(database_.dsn(), sql);
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace hemalink::testing
