// Several hemalink processes on one database deliver each outbox row once, in order per
// specimen, and a daemon killed with SIGKILL mid-delivery loses nothing: the next one sends what
// it held, with the same control IDs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <thread>

#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "server/store/migrations.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/lis_sim_runner.hpp"
#include "tests/support/store_harness.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

namespace hemalink::daemon {
namespace {

using model::WireProtocol;
using namespace std::chrono_literals;

// One hemalink process: xn-1 on a port of the system's choosing, every released result to the
// LIS at `lis_port`, its own spool; log in DIR/NODE.log.
class Node {
 public:
  Node(const testing::TempDir& dir, const std::string& name, const std::string& dsn,
       std::uint16_t lis_port)
      : log_(dir / (name + ".log")) {
    const auto config = dir / (name + ".json");
    const auto rules = dir / "release-all.json";
    std::ofstream(rules) << R"({"version": "release-all-test", "rules": [
        {"id": "release-all", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
    std::ofstream(config) << fmt::format(
        R"({{"database": {{"url": "{}"}}, "spool_dir": "{}", "threads": 2, "http": {{"listen": "127.0.0.1:0"}},
            "rules": {{"files": ["{}"]}},
            "analyzers": [{{"name": "xn-1", "driver": "sysmex-xn", "protocol": "astm",
              "transport": {{"type": "tcp-server", "listen_address": "127.0.0.1", "port": 0}}}}],
            "lis": [{{"name": "lis", "protocol": "hl7",
              "transport": {{"type": "tcp-client", "host": "127.0.0.1", "port": {},
                            "reconnect_min_ms": 100, "reconnect_max_ms": 400}},
              "ack_timeout_ms": 2000, "backoff_min_ms": 100, "backoff_max_ms": 400}}]}})",
        dsn, (dir / (name + "-spool")).string(), rules.string(), lis_port);
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{HEMALINK_BINARY, "serve", "--config", config.string()}, log_);
    port_ = testing::port_from_log(log_, "xn-1", 60s);
  }

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& log() const { return log_; }
  testing::ChildProcess& process() { return *process_; }

 private:
  std::filesystem::path log_;
  std::unique_ptr<testing::ChildProcess> process_;
  std::uint16_t port_ = 0;
};

std::size_t acknowledged(const simulate::SimulationReport& report) {
  return static_cast<std::size_t>(
      std::count_if(report.results.begin(), report.results.end(),
                    [](const auto& r) { return r.answer == simulate::Answer::Acknowledged; }));
}

simulate::SimulationReport send(std::uint16_t port, std::size_t count, std::uint32_t seed) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Astm;
  plan.targets = {{"127.0.0.1", port}};
  plan.messages = simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, count, seed);
  plan.timeout = 120s;
  return simulate::run_simulation(plan);
}

long long count(const std::string& dsn, const std::string& sql) {
  return std::stoll(testing::query_value(dsn, sql));
}

bool nothing_pending(const std::string& dsn) {
  return testing::wait_until(
      [&] { return count(dsn, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0; },
      120s);
}

// For each specimen, the outbox IDs of its rows in the order the LIS received them.
std::map<std::string, std::vector<long long>> arrival_order(const std::string& dsn,
                                                            const testing::LisSimRunner& lis) {
  std::map<std::string, long long> row_of;
  for (const auto& r : testing::query_rows(dsn, "SELECT control_id, id FROM outbox")) {
    row_of[r[0]] = std::stoll(r[1]);
  }
  std::map<std::string, std::vector<long long>> order;
  for (const auto& m : lis.ledger().messages()) {
    if (!m.is_duplicate) {
      order[m.specimen_id].push_back(row_of[m.control_id]);
    }
  }
  return order;
}

TEST(LisNodes, TwoDaemonsOnOneDatabaseSendEachControlIdOnceInOrderPerSpecimen) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase database;
  ASSERT_TRUE(store::migrate(database.dsn(), store::shipped_migrations()));
  testing::TempDir dir("lis-nodes");
  testing::LisSimRunner lis(testing::lis_sim_options());
  Node a(dir, "node-a", database.dsn(), lis.port());
  Node b(dir, "node-b", database.dsn(), lis.port());
  ASSERT_NE(a.port(), 0) << "see " << a.log();
  ASSERT_NE(b.port(), 0) << "see " << b.log();
  // The same 40 specimens through both nodes (other values): reruns, so each specimen has rows
  // from both, and their order matters.
  simulate::SimulationReport to_a;
  std::thread sending([&] { to_a = send(a.port(), 40, 1); });
  const auto to_b = send(b.port(), 40, 2);
  sending.join();
  ASSERT_EQ(acknowledged(to_a) + acknowledged(to_b), 80U);
  ASSERT_TRUE(nothing_pending(database.dsn()));
  const auto rows = count(database.dsn(), "SELECT count(*) FROM outbox WHERE status = 'sent'");
  EXPECT_EQ(rows, 80);
  const auto t = lis.ledger().totals();
  EXPECT_EQ(t.distinct_control_ids, static_cast<std::uint64_t>(rows));
  EXPECT_EQ(t.duplicates, 0U) << "no control ID reached the LIS twice";
  EXPECT_EQ(count(database.dsn(), "SELECT count(DISTINCT claimed_by) FROM outbox"), 2)
      << "both nodes sent";
  for (const auto& [specimen, ids] : arrival_order(database.dsn(), lis)) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << specimen << " arrived out of order";
  }
}

TEST(LisNodes, ADaemonKilledMidDeliveryLosesNothingAndTheNextSendsWhatItHeld) {
  HL_REQUIRE_POSTGRES();
  testing::TestDatabase database;
  ASSERT_TRUE(store::migrate(database.dsn(), store::shipped_migrations()));
  testing::TempDir dir("lis-kill");
  auto options = testing::lis_sim_options();
  options.delay = 20ms;  // a slow LIS: the kill comes mid-delivery
  testing::LisSimRunner lis(options);
  std::size_t received_before_kill = 0;
  {
    Node a(dir, "node-a", database.dsn(), lis.port());
    ASSERT_NE(a.port(), 0) << "see " << a.log();
    const auto report = send(a.port(), 60, 3);
    ASSERT_EQ(acknowledged(report), 60U);
    ASSERT_TRUE(testing::wait_until([&] { return lis.ledger().totals().received >= 10; }, 60s));
    a.process().signal(SIGKILL);
    ASSERT_TRUE(a.process().wait(10s).has_value());
    received_before_kill = lis.ledger().totals().received;
  }
  ASSERT_LT(received_before_kill, 60U) << "the kill came after the delivery";
  EXPECT_GT(count(database.dsn(), "SELECT count(*) FROM outbox WHERE status = 'pending'"), 0);
  Node b(dir, "node-b", database.dsn(), lis.port());
  ASSERT_NE(b.port(), 0) << "see " << b.log();
  ASSERT_TRUE(nothing_pending(database.dsn()));
  EXPECT_EQ(count(database.dsn(), "SELECT count(*) FROM outbox WHERE status = 'sent'"), 60)
      << "nothing lost";
  const auto t = lis.ledger().totals();
  EXPECT_EQ(t.distinct_control_ids, 60U);
  EXPECT_LE(t.duplicates, 1U) << "at most the message in flight went twice";
  EXPECT_EQ(count(database.dsn(),
                  "SELECT count(*) FROM outbox WHERE claimed_by LIKE '%' AND "
                  "sent_at IS NOT NULL AND claimed_by <> ''"),
            60);
}

}  // namespace
}  // namespace hemalink::daemon
