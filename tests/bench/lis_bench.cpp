// LIS delivery benchmark, through the whole daemon on a private PostgreSQL and lis-sim on
// 127.0.0.1 (acknowledging at once):
//   1. delivered ORU/s from a filled outbox over one connection, and over four destinations;
//   2. p50/p99 from the outbox row's commit to the LIS's ACK with analyzers sending 200
//      messages/s.
//
//   lis_bench --pg "host=DIR user=postgres" [--messages N] [--rate R] [--seconds S]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "server/daemon/daemon.hpp"
#include "server/simulate/generated_messages.hpp"
#include "server/simulate/simulation.hpp"
#include "server/store/migrations.hpp"
#include "tests/bench/bench_database.hpp"
#include "tests/support/lis_sim_runner.hpp"

namespace hemalink::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using model::WireProtocol;

struct Options {
  std::string pg;
  std::size_t messages = 10000;
  double rate = 200;
  double seconds = 15;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--pg") {
      o.pg = value;
    } else if (flag == "--messages") {
      o.messages = std::stoul(value);
    } else if (flag == "--rate") {
      o.rate = std::stod(value);
    } else if (flag == "--seconds") {
      o.seconds = std::stod(value);
    } else {
      throw std::runtime_error("unknown option " + flag);
    }
  }
  if (o.pg.empty()) {
    throw std::runtime_error("usage: lis_bench --pg \"host=DIR user=postgres\" [--messages N]");
  }
  return o;
}

long long count(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::read_transaction tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

void wait_for(const std::string& dsn, const std::string& sql, long long target) {
  const auto limit = Clock::now() + 10min;
  while (count(dsn, sql) < target) {
    if (Clock::now() > limit) {
      throw std::runtime_error("gave up waiting for: " + sql);
    }
    std::this_thread::sleep_for(20ms);
  }
}

using Lis = testing::LisSimRunner;

struct RunningDaemon {
  explicit RunningDaemon(daemon::DaemonConfig c)
      : daemon(std::move(c), daemon::DaemonOptions{false, {}}), thread([this] { daemon.run(); }) {}
  ~RunningDaemon() {
    daemon.stop();
    thread.join();
  }
  daemon::Daemon daemon;
  std::thread thread;
};

daemon::DaemonConfig lab(const std::string& dsn, const std::filesystem::path& work,
                         const std::vector<std::uint16_t>& lis_ports) {
  daemon::DaemonConfig c;
  c.database_url = dsn;
  c.spool_dir = work / ("spool-" + std::to_string(lis_ports.front()));
  c.log_level = "warn";
  c.rules.files = {work / "release-all.json"};
  config::AnalyzerConfig a;
  a.name = "xn-1";
  a.driver = "sysmex-xn";
  a.protocol = WireProtocol::Astm;
  a.transport = config::TcpServerTransport{"127.0.0.1", 0, std::nullopt};
  c.analyzers.push_back(a);
  for (std::size_t i = 0; i < lis_ports.size(); ++i) {
    lis::LisDestination d;
    d.name = lis_ports.size() == 1 ? "lis" : fmt::format("lis-{}", i + 1);
    d.transport = config::TcpClientTransport{"127.0.0.1", lis_ports[i], 50ms, 100ms, std::nullopt};
    c.lis.push_back(d);
  }
  return c;
}

void send(std::uint16_t port, std::size_t n, double rate, std::uint32_t seed) {
  simulate::SimulationPlan plan;
  plan.analyzer.protocol = WireProtocol::Astm;
  plan.targets = {{"127.0.0.1", port}};
  plan.messages = simulate::generate(simulate::Panel::Cbc, WireProtocol::Astm, n, seed);
  plan.connections = 8;
  plan.rate = rate;
  plan.timeout = 600s;
  simulate::run_simulation(plan);
}

// Fills the outbox while the LIS is away, then starts the LIS(es) and times the drain.
void drain(const Options& o, const std::filesystem::path& work, std::size_t destinations) {
  const auto dsn = fresh_database(o.pg, fmt::format("hemalink_lis_bench_{}", destinations));
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < destinations; ++i) {
    ports.push_back(testing::unused_port());
  }
  RunningDaemon d(lab(dsn, work, ports));
  send(d.daemon.port_of("xn-1"), o.messages, 0, 11);
  const auto rows = static_cast<long long>(o.messages * destinations);
  wait_for(dsn, "SELECT count(*) FROM outbox", rows);
  std::vector<std::unique_ptr<Lis>> lis;
  const auto start = Clock::now();
  for (auto port : ports) {
    lis.push_back(std::make_unique<Lis>(testing::lis_sim_options(port)));
  }
  wait_for(dsn, "SELECT count(*) FROM outbox WHERE status = 'sent'", rows);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::uint64_t duplicates = 0;
  for (const auto& l : lis) {
    duplicates += l->ledger().totals().duplicates;
  }
  fmt::print(
      "filled outbox, {} destination(s), one connection each: {} ORU in {:.2f} s = {:.0f} "
      "ORU/s ({} duplicates)\n",
      destinations, rows, seconds, static_cast<double>(rows) / seconds, duplicates);
}

// Analyzers at `rate` messages/s through the daemon; commit of the outbox row to the LIS's ACK.
void latency(const Options& o, const std::filesystem::path& work) {
  if (o.rate <= 0) {
    return;
  }
  const auto dsn = fresh_database(o.pg, "hemalink_lis_bench_latency");
  Lis lis(testing::lis_sim_options());
  RunningDaemon d(lab(dsn, work, {lis.port()}));
  const auto n = static_cast<std::size_t>(o.rate * o.seconds);
  send(d.daemon.port_of("xn-1"), n, o.rate, 12);
  wait_for(dsn, "SELECT count(*) FROM outbox WHERE status = 'sent'", static_cast<long long>(n));
  pqxx::connection c(dsn);
  pqxx::read_transaction tx(c);
  // The commit of the ingest transaction that wrote the row (its specimen's, never updated),
  // when PostgreSQL keeps commit times (track_commit_timestamp, as scripts/dev.sh bench starts
  // it); else the row's created_at, the start of that transaction, a little earlier.
  const bool has_commit_times =
      tx.exec1("SHOW track_commit_timestamp")[0].as<std::string>() == "on";
  const std::string since = has_commit_times ? "pg_xact_commit_timestamp(s.xmin)" : "o.created_at";
  const auto row = tx.exec1(fmt::format(
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP "
      "(ORDER BY ms), max(ms) FROM (SELECT extract(epoch FROM o.sent_at - {}) * 1000 AS ms "
      "FROM outbox o JOIN specimens s ON s.id = o.specimen_row_id) t",
      since));
  fmt::print(
      "{} messages at {:.0f}/s through the daemon: {} to LIS ACK p50 {:.2f} ms, p99 "
      "{:.2f} ms, max {:.2f} ms\n",
      n, o.rate,
      has_commit_times ? "ingest commit" : "ingest transaction start (no commit times kept)",
      row[0].as<double>(), row[1].as<double>(), row[2].as<double>());
}

}  // namespace
}  // namespace hemalink::bench

int main(int argc, char** argv) {
  try {
    const auto o = hemalink::bench::parse(argc, argv);
    const auto work = std::filesystem::temp_directory_path() / "hemalink-lis-bench";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    std::ofstream(work / "release-all.json") << R"({"version": "bench", "rules": [
        {"id": "release-all", "applies_to": ["*"], "when": "not is_qc", "action": "release"}]})";
    hemalink::bench::drain(o, work, 1);
    hemalink::bench::drain(o, work, 4);
    hemalink::bench::latency(o, work);
    std::filesystem::remove_all(work);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "lis_bench: {}\n", e.what());
    return 1;
  }
}
