// `hemalink rules backtest` (issue 33) on archives made by the lab day: results replayed per
// second and the replay's peak memory, on 1 M and 10 M archived patient results.
//
// The archive: hospital lab days (server/simulate, a seed per day) laid one a day, each 24 hours
// after the one before; patient P<seed><n> of every day is the same person P000<n> (the
// demographics of their first day), so delta checks have history. Each day goes through the write
// path in process: the LIS's orders (read_order_message, store_orders; their order time then set
// to the day's start, as if the LIS had sent them then), then the XN's, the CS's and FACSLink's
// traffic, in the order it was sent, through the store with the example configuration's reader
// (its rules, QC and order matching, the recent results they read). Then each held result is
// acted on as the truth says, in one statement: a tube that needs a person rerun (even result IDs)
// or rejected, any other released, 12 minutes after the rules held it.
//
// An archive is built once per size, in a database named by its size, and reused when it is
// complete: a rerun measures without building 10 M again.
//
//   backtest_bench --pg "host=DIR user=postgres" [--results 1000000,10000000]
//                  [--day-specimens 5000] [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/daemon/backtest_plan.hpp"
#include "server/daemon/message_reading.hpp"
#include "server/ingest/committed_results.hpp"
#include "server/lis/lis_config.hpp"
#include "server/orders/order_book.hpp"
#include "server/orders/order_reading.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/rules/rule_files.hpp"
#include "server/simulate/lab_day.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/store/store.hpp"
#include "server/validation/backtest.hpp"
#include "server/validation/postgres_specimen_archive.hpp"
#include "tests/bench/bench_database.hpp"

namespace hemalink::bench {
namespace {

using Clock = std::chrono::system_clock;
using simulate::Bench;

constexpr const char* kFirstDay = "2025-01-06 00:00:00+00";

daemon::DaemonConfig lab_configuration(const std::string& dsn, const std::filesystem::path& spool) {
  auto config = daemon::read_daemon_config_file(std::filesystem::path(HEMALINK_SOURCE_DIR) /
                                                "config" / "hemalink.example.json");
  if (!config) {
    throw std::runtime_error(files::describe(config.error(), "; "));
  }
  config->database_url = dsn;
  config->spool_dir = spool;
  return *config;
}

// Patient `P<seed><n>` of a day is `P000<n>` of the archive, with the demographics of the day they
// first came.
class RecurringPatients {
 public:
  void place(simulate::LabDay& day) {
    for (auto& p : day.patients) {
      p.id = "P000" + p.id.substr(4);
      const auto [known, is_new] = known_.emplace(p.id, p);
      if (!is_new) {
        p = known->second;
      }
    }
  }

 private:
  std::map<std::string, simulate::LabPatient> known_;
};

// Messages handed to the store and not yet completed, at most `limit` at once.
class InFlight {
 public:
  explicit InFlight(std::size_t limit) : limit_(limit) {}
  void enter() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ < limit_; });
    ++count_;
  }
  void leave(const store::Completion& done) {
    std::lock_guard lock(mutex_);
    --count_;
    if (done.outcome != store::StoreOutcome::Stored) {
      failures_.push_back(done.failure.detail.empty() ? done.detail : done.failure.detail);
    }
    changed_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ == 0; });
    if (!failures_.empty()) {
      throw std::runtime_error(fmt::format("{} message(s) not stored, the first: {}",
                                           failures_.size(), failures_.front()));
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t limit_;
  std::size_t count_ = 0;
  std::vector<std::string> failures_;
};

struct PlacedDay {
  PlacedDay(simulate::LabDay d, Clock::time_point at) : day(std::move(d)), start(at) {}
  simulate::LabDay day;
  Clock::time_point start;
};

struct SentBy {
  simulate::SentMessage message;
  const config::AnalyzerConfig* analyzer;
};

// The lab's write path, in process: orders as the intake stores them, results through the store.
class LabWritePath {
 public:
  explicit LabWritePath(const daemon::DaemonConfig& config)
      : config_(config),
        reading_(config),
        orders_mapping_(lis_mapping(config)),
        store_(store_options(config, reading_.recent),
               [reader = reading_.reader](std::span<const records::Receipt* const> receipts) {
                 return reader->read(receipts);
               }) {}

  /// The day's results, its orders stored before (store_orders).
  void store_results(const simulate::LabDay& day, Clock::time_point day_start) {
    std::vector<SentBy> traffic;
    const std::pair<Bench, const char*> benches[] = {
        {Bench::Hematology, "xn-1"}, {Bench::Coagulation, "cs-1"}, {Bench::Flow, "facs-lis"}};
    for (const auto& [bench, name] : benches) {
      const auto* analyzer = analyzer_named(name);
      for (auto& m : simulate::timed_bench_traffic(day, bench, day_start, false)) {
        traffic.push_back({std::move(m), analyzer});
      }
    }
    std::stable_sort(traffic.begin(), traffic.end(),
                     [](const SentBy& a, const SentBy& b) { return a.message.at < b.message.at; });
    for (auto& t : traffic) {
      auto receipt =
          records::Receipt::arrived(t.analyzer->name, t.analyzer->driver, t.analyzer->protocol,
                                    "127.0.0.1", std::move(t.message.text));
      receipt.received_at = t.message.at;
      in_flight_.enter();
      auto submitted = store_.submit({std::move(receipt), std::nullopt},
                                     [this](const store::Completion& c) { in_flight_.leave(c); });
      if (!submitted) {
        throw std::runtime_error("the store refused a message: " + submitted.error().detail);
      }
    }
    in_flight_.drain();
  }

  /// The LIS's orders of the day, as if sent at its start; on a thread of its own (meanwhile the
  /// store takes the results of the day before).
  void store_orders(const simulate::LabDay& day, Clock::time_point day_start) const {
    const auto& lis = config_.lis.at(0);
    pqxx::connection c(config_.database_url);
    pqxx::nontransaction n(c);
    const auto last = n.exec1("SELECT coalesce(max(id), 0) FROM orders")[0].as<long long>();
    const auto last_test =
        n.exec1("SELECT coalesce(max(id), 0) FROM order_tests")[0].as<long long>();
    for (const auto& s : day.specimens) {
      auto receipt = records::Receipt::arrived(lis.name, "", model::WireProtocol::Hl7, "127.0.0.1",
                                               simulate::lis_order(day, s, day_start));
      receipt.received_at = day_start;
      const auto read = orders::read_order_message(receipt, orders_mapping_, Charset::Utf8);
      if (read.refusal) {
        throw std::runtime_error(fmt::format("order of {} refused: {}", s.id, *read.refusal));
      }
      if (auto stored = orders::store_orders(config_.database_url, read); !stored) {
        throw std::runtime_error(fmt::format("order of {}: {}", s.id, stored.error().detail));
      }
    }
    const auto at = fmt::format(
        "{}",
        std::chrono::duration_cast<std::chrono::seconds>(day_start.time_since_epoch()).count());
    n.exec_params("UPDATE orders SET created_at = to_timestamp($1::float8) WHERE id > $2", at,
                  last);
    n.exec_params("UPDATE order_tests SET ordered_at = to_timestamp($1::float8) WHERE id > $2", at,
                  last_test);
  }

 private:
  static config::LisMapping lis_mapping(const daemon::DaemonConfig& config) {
    auto mappings = lis::load_lis_mappings(config.lis);
    if (!mappings) {
      throw std::runtime_error(files::describe(mappings.error(), "; "));
    }
    return mappings->at(0);
  }

  // The daemon's store, waiting for every commit (nothing spooled) and its recent results
  // learning each commit. The order steps of rerun rules are not taken: no analyzer is sent work.
  static store::StoreOptions store_options(const daemon::DaemonConfig& c,
                                           std::shared_ptr<rules::RecentResults> recent) {
    store::StoreOptions o;
    o.on_committed.push_back(ingest::remember_committed_results(std::move(recent)));
    o.dsn = c.database_url;
    o.writers = c.store.writers;
    o.max_batch_messages = c.store.max_batch_messages;
    o.spool_dir = c.spool_dir;
    o.ack_budget = std::chrono::milliseconds(0);
    for (const auto& a : c.analyzers) {
      o.analyzers.emplace_back(a.name, a.driver);
    }
    for (const auto& d : c.lis) {
      o.lis_routes.push_back({d.name, d.analyzers});
    }
    return o;
  }

  const config::AnalyzerConfig* analyzer_named(std::string_view name) const {
    for (const auto& a : config_.analyzers) {
      if (a.name == name) {
        return &a;
      }
    }
    throw std::runtime_error(fmt::format("the example configuration has no analyzer {}", name));
  }

  const daemon::DaemonConfig& config_;
  daemon::MessageReading reading_;
  config::LisMapping orders_mapping_;
  InFlight in_flight_{4000};
  store::Store store_;
};

constexpr const char* kTruth =
    "CREATE TABLE IF NOT EXISTS bench_truth (specimen_id text PRIMARY KEY, must_review boolean)";

void keep_truth(const std::string& dsn, const simulate::LabDay& day) {
  pqxx::connection c(dsn);
  pqxx::work tx(c);
  std::string values;
  for (const auto& s : day.specimens) {
    values += fmt::format("{}({}, {})", values.empty() ? "" : ", ", tx.quote(s.id),
                          s.truth.must_review ? "true" : "false");
  }
  tx.exec("INSERT INTO bench_truth VALUES " + values);
  tx.commit();
}

// Every held patient result acted on as the truth says, 12 minutes after it was held.
constexpr const char* kReview = R"sql(
WITH held AS (
  UPDATE decisions d SET is_current = false FROM results r
  WHERE d.result_id = r.id AND d.is_current AND d.decision = 'hold' AND NOT r.is_qc
  RETURNING d.result_id, d.decided_at, r.specimen_id)
INSERT INTO decisions (result_id, decision, decided_by, reason, decided_at)
SELECT h.result_id,
  CASE WHEN NOT t.must_review THEN 'release' WHEN h.result_id % 2 = 0 THEN 'rerun' ELSE 'reject' END,
  'user:bench',
  CASE WHEN t.must_review THEN 'smear: not to be reported as measured' ELSE 'checked' END,
  h.decided_at + interval '12 minutes'
FROM held h JOIN bench_truth t ON t.specimen_id = h.specimen_id
)sql";

constexpr const char* kUnknownSpecimens = R"sql(
SELECT count(*) FROM results r WHERE NOT r.is_qc
  AND NOT EXISTS (SELECT 1 FROM bench_truth t WHERE t.specimen_id = r.specimen_id)
)sql";

struct Archive {
  std::string name;
  std::string dsn;
  long long results = 0;
  int days = 0;
  double built_seconds = 0;
  bool was_built = false;
};

std::optional<Archive> complete_archive(const std::string& pg, const std::string& name) {
  pqxx::connection admin(pg + " dbname=postgres");
  pqxx::nontransaction a(admin);
  if (a.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) {
    return std::nullopt;
  }
  Archive archive{name, pg + " dbname=" + name};
  pqxx::connection c(archive.dsn);
  pqxx::nontransaction n(c);
  if (n.exec1("SELECT to_regclass('bench_archive') IS NOT NULL")[0].as<bool>()) {
    const auto row = n.exec("SELECT results, days, built_seconds FROM bench_archive");
    if (!row.empty()) {
      archive.results = row[0][0].as<long long>();
      archive.days = row[0][1].as<int>();
      archive.built_seconds = row[0][2].as<double>();
      return archive;
    }
  }
  return std::nullopt;
}

Archive build_archive(const std::string& pg, const std::string& name, long long results,
                      std::size_t day_specimens) {
  const auto started = std::chrono::steady_clock::now();
  Archive archive{name, fresh_database(pg, name)};
  archive.was_built = true;
  {
    pqxx::connection c(archive.dsn);
    pqxx::nontransaction n(c);
    // A benchmark's archive: a crash loses it whole (it is built again), not a commit at a time.
    n.exec(fmt::format("ALTER DATABASE {} SET synchronous_commit = off", name));
    n.exec(kTruth);
  }
  const auto spool = std::filesystem::temp_directory_path() / ("hemalink-" + name + "-spool");
  std::filesystem::remove_all(spool);
  const auto config = lab_configuration(archive.dsn, spool);
  LabWritePath lab(config);
  RecurringPatients patients;
  pqxx::connection c(archive.dsn);
  pqxx::nontransaction n(c);
  const auto first_day =
      n.exec1(fmt::format("SELECT extract(epoch FROM '{}'::timestamptz)::bigint", kFirstDay))[0]
          .as<long long>();
  long long generated = 0;
  // Day k + 1's orders are stored while the store takes day k's results.
  const auto next_day = [&] {
    simulate::LabDayPlan plan;
    plan.specimens = day_specimens;
    plan.seed = static_cast<std::uint32_t>(archive.days + 1);
    plan.qc_fail_run = archive.days % 10 == 3 ? 2 : 0;  // a failed control run every tenth day
    auto day = std::make_unique<PlacedDay>(
        simulate::generate_lab_day(plan),
        Clock::time_point(std::chrono::seconds(first_day)) + std::chrono::hours(24) * archive.days);
    patients.place(day->day);
    for (const auto& s : day->day.specimens) {
      generated += static_cast<long long>(s.results.size());
    }
    keep_truth(archive.dsn, day->day);
    ++archive.days;
    return day;
  };
  const auto order = [&lab](const PlacedDay& day) {
    return std::async(std::launch::async, [&lab, &day] { lab.store_orders(day.day, day.start); });
  };
  auto today = next_day();
  auto ordering = order(*today);
  for (int stored = 1;; ++stored) {
    ordering.get();
    std::unique_ptr<PlacedDay> tomorrow;
    if (generated < results) {
      tomorrow = next_day();
      ordering = order(*tomorrow);
    }
    lab.store_results(today->day, today->start);
    fmt::print(stderr, "{}: day {} stored ({} results generated)\n", name, stored, generated);
    if (!tomorrow) {
      break;
    }
    today = std::move(tomorrow);
  }
  if (const auto unknown = n.exec1(kUnknownSpecimens)[0].as<long long>(); unknown > 0) {
    throw std::runtime_error(
        fmt::format("{} patient results of specimens not of the days", unknown));
  }
  n.exec(kReview);
  n.exec("ANALYZE");
  archive.results = n.exec1("SELECT count(*) FROM results WHERE NOT is_qc")[0].as<long long>();
  archive.built_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  n.exec_params(
      "CREATE TABLE bench_archive AS SELECT $1::bigint AS results, $2::int AS days,"
      " $3::float8 AS built_seconds",
      archive.results, archive.days, archive.built_seconds);
  std::filesystem::remove_all(spool);
  return archive;
}

// The process's peak resident memory since the last reset, in kB (Linux).
long peak_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

void reset_peak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

void backtest(benchmark::State& state, const Archive& archive) {
  const auto config = lab_configuration(archive.dsn, std::filesystem::temp_directory_path());
  auto candidate = rules::load_rule_files(config.rules.files);
  auto plan = daemon::backtest_plan(config);
  if (!candidate || !plan) {
    state.SkipWithError("the example configuration's rules or QC do not load");
    return;
  }
  validation::BacktestReport report;
  long peak = 0;
  for (auto _ : state) {
    validation::PostgresSpecimenArchive specimens(archive.dsn);
    auto history = std::make_shared<rules::DatabaseResultArchive>(archive.dsn);
    reset_peak();
    const long before = peak_kb();
    auto replayed = validation::run_backtest(*candidate, specimens, history, *plan);
    peak = peak_kb() - before;
    if (!replayed) {
      state.SkipWithError(replayed.error().detail.c_str());
      return;
    }
    report = std::move(*replayed);
  }
  state.counters["results/s"] = benchmark::Counter(static_cast<double>(report.results),
                                                   benchmark::Counter::kIsIterationInvariantRate);
  state.counters["results"] = static_cast<double>(report.results);
  state.counters["specimens"] = static_cast<double>(report.specimens);
  state.counters["peak_MB"] = static_cast<double>(peak) / 1024.0;
  state.counters["agree_live"] = report.with_live.share().value_or(0);
  state.counters["false_neg"] = static_cast<double>(report.false_negative_results);
  state.counters["days"] = archive.days;
  state.counters["built_s"] = archive.built_seconds;
}

std::string size_name(long long results) {
  return results % 1000000 == 0 ? fmt::format("{}m", results / 1000000)
                                : fmt::format("{}", results);
}

}  // namespace
}  // namespace hemalink::bench

int main(int argc, char** argv) {
  using namespace hemalink::bench;
  std::string pg;
  std::vector<long long> sizes{1000000};
  std::size_t day_specimens = 5000;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--pg" && i + 1 < argc) {
      pg = argv[++i];
    } else if (arg == "--results" && i + 1 < argc) {
      sizes.clear();
      std::string list = argv[++i];
      for (std::size_t at = 0; at <= list.size();) {
        const auto comma = std::min(list.find(',', at), list.size());
        sizes.push_back(std::stoll(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (arg == "--day-specimens" && i + 1 < argc) {
      day_specimens = std::stoul(argv[++i]);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (pg.empty()) {
    fmt::print(stderr,
               "usage: backtest_bench --pg \"host=DIR user=postgres\" [--results N[,N...]]"
               " [--day-specimens N]\n");
    return 2;
  }
  std::vector<Archive> archives;
  for (const auto results : sizes) {
    const auto name = "hemalink_backtest_" + size_name(results);
    auto archive = complete_archive(pg, name);
    archives.push_back(archive ? *archive : build_archive(pg, name, results, day_specimens));
    fmt::print(stderr, "{}: {} results in {} days, built in {:.0f} s{}\n", name,
               archives.back().results, archives.back().days, archives.back().built_seconds,
               archives.back().was_built ? "" : " (kept from an earlier run)");
  }
  for (const auto& archive : archives) {
    benchmark::RegisterBenchmark(("backtest/" + archive.name).c_str(),
                                 [&archive](benchmark::State& state) { backtest(state, archive); })
        ->Unit(benchmark::kSecond)
        ->UseRealTime()
        ->Iterations(1);
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
