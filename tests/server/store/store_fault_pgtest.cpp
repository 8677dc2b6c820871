// PostgreSQL stopped (crash-stopped, mid-ingest) and started again under a steady producer:
// every acknowledged message ends up in the database exactly once. Stops the shared private
// cluster, so ctest runs it alone (RUN_SERIAL).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "server/config/mapping_json.hpp"
#include "server/store/batch_rows.hpp"
#include "server/store/store.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/store_requests.hpp"

namespace hemalink::store {

using records::Receipt;

namespace {

// Three XN analyzers (over two writers), each message a five-result CBC, read the way
// the spool replay reads it again.
std::shared_ptr<ingest::MessageReader> xn_reader() {
  auto reader = std::make_shared<ingest::MessageReader>();
  for (int i = 0; i < 3; ++i) {
    auto mappings = config::load_mappings("sysmex-xn", "", "");
    reader->add_analyzer(fmt::format("xn-{}", i),
                         drivers::make_driver("sysmex-xn", {*mappings, Charset::Latin1, {}}));
  }
  return reader;
}

StoreRequest cbc(const ingest::MessageReader& reader, int i) {
  auto receipt =
      testing::receipt(fmt::format("xn-{}", i % 3), "sysmex-xn", model::WireProtocol::Astm,
                       fmt::format("H|\\^&|||XN-1000^00-21^11001^^^^A1234||||||||E1394-97\r"
                                   "P|1|||PID{0}|^Test^Patient||19700101|F\r"
                                   "O|1||^^{0:010}^B|^^^^WBC|||||||N||||||||||||||F\r"
                                   "R|1|^^^^WBC^1|5.{1}|10*3/uL||N||F||||20261122101500\r"
                                   "R|2|^^^^RBC^1|4.50|10*6/uL||N||F||||20261122101500\r"
                                   "R|3|^^^^HGB^1|13.8|g/dL||N||F||||20261122101500\r"
                                   "R|4|^^^^HCT^1|41.0|%||N||F||||20261122101500\r"
                                   "R|5|^^^^PLT^1|2{1}|10*3/uL||N||F||||20261122101500\r"
                                   "L|1|N\r",
                                   i, i % 10));
  auto content = reader.read(receipt);
  return {std::move(receipt), std::move(content)};
}

// Submits `total` messages, at most `window` awaiting completion, pausing at each gate until
// the test lets it through.
class Producer {
 public:
  Producer(Store& store, const ingest::MessageReader& reader, int total, int window)
      : store_(store), reader_(reader), total_(total), window_(window) {}

  void run(const std::set<int>& gates) {
    for (int i = 0; i < total_; ++i) {
      std::unique_lock lock(mutex_);
      if (gates.count(i) != 0) {
        at_gate_ = i;
        changed_.notify_all();
        changed_.wait(lock, [&] { return opened_gate_ == i; });
      }
      changed_.wait(lock, [&] { return submitted_ - completed_ < window_; });
      ++submitted_;
      lock.unlock();
      auto request = cbc(reader_, i);
      EXPECT_EQ(count_observations(*request.content), 5U) << request.content->reject_reason;
      ids_.push_back(request.receipt.id);
      auto submitted = store_.submit(std::move(request), [this](const Completion& c) {
        std::lock_guard lock(mutex_);
        outcomes_.push_back(c);
        ++completed_;
        changed_.notify_all();
      });
      ASSERT_TRUE(submitted) << submitted.error().detail;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return completed_ == total_; });
  }

  void wait_at_gate(int gate) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return at_gate_ == gate; });
  }
  void open_gate(int gate) {
    std::lock_guard lock(mutex_);
    opened_gate_ = gate;
    changed_.notify_all();
  }

  const std::vector<Completion>& outcomes() const { return outcomes_; }
  const std::vector<model::MessageId>& ids() const { return ids_; }

 private:
  Store& store_;
  const ingest::MessageReader& reader_;
  int total_;
  int window_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int submitted_ = 0;
  int completed_ = 0;
  int at_gate_ = -1;
  int opened_gate_ = -1;
  std::vector<Completion> outcomes_;
  std::vector<model::MessageId> ids_;
};

int run_command(const char* env) {
  return std::system(std::getenv(env));
}

TEST(StoreFaults, PostgresStoppedMidIngestLosesNothingAcknowledged) {
  HL_REQUIRE_POSTGRES();
  if (std::getenv("HEMALINK_TEST_PG_STOP") == nullptr ||
      std::getenv("HEMALINK_TEST_PG_START") == nullptr) {
    GTEST_SKIP() << "HEMALINK_TEST_PG_STOP/START not set: run through scripts/dev.sh test";
  }
  auto options = testing::test_store_options();
  options.writers = 2;
  options.max_batch_messages = 32;
  options.reconnect_interval = std::chrono::milliseconds(200);
  auto reader = xn_reader();
  testing::StoreHarness h(options, [reader](const Receipt& r) { return reader->read(r); });
  constexpr int kTotal = 900;
  Producer producer(h.store(), *reader, kTotal, 16);
  std::thread feeding([&] { producer.run({300, 600}); });

  producer.wait_at_gate(300);  // up to 16 messages still in flight
  ASSERT_EQ(run_command("HEMALINK_TEST_PG_STOP"), 0);
  producer.open_gate(300);
  producer.wait_at_gate(600);
  EXPECT_TRUE(h.store().health().is_degraded);
  EXPECT_GT(h.store().health().spooled_pending, 0U);
  ASSERT_EQ(run_command("HEMALINK_TEST_PG_START"), 0);
  producer.open_gate(600);
  feeding.join();

  std::map<StoreOutcome, int> tally;
  for (const auto& c : producer.outcomes()) {
    ++tally[c.outcome];
    EXPECT_TRUE(is_durable(c.outcome)) << c.failure.detail;
  }
  EXPECT_GE(tally[StoreOutcome::Spooled], 300) << "everything sent while it was down";
  EXPECT_GT(tally[StoreOutcome::Stored], 0);
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const auto health = h.store().health();
        return health.spooled_pending == 0 && !health.is_degraded && health.queued == 0;
      },
      std::chrono::seconds(60)))
      << h.store().health().last_error;

  EXPECT_EQ(h.count("SELECT count(*) FROM messages"), kTotal);
  EXPECT_EQ(h.count("SELECT count(*) FROM results"), kTotal * 5);
  EXPECT_EQ(h.count("SELECT count(*) FROM decisions"), kTotal * 5);
  std::set<std::string> stored;
  for (const auto& row : h.query_rows("SELECT id::text FROM messages")) {
    stored.insert(row[0]);
  }
  for (const auto& id : producer.ids()) {
    EXPECT_EQ(stored.count(id.to_string()), 1U) << id.to_string();
  }
  EXPECT_EQ(h.count("SELECT count(*) FROM (SELECT message_id, code FROM results GROUP BY 1, 2 "
                    "HAVING count(*) > 1) d"),
            0);
}

}  // namespace
}  // namespace hemalink::store
