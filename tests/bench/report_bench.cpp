// `hemalink report av` over a day of 100,000 specimens (1.7 million results, each with its
// automatic decision): the statement that reads them and the count against the truth, on the
// private cluster of scripts/dev.sh bench. The day is written by SQL (generate_series), not
// through the daemon: what is measured is the read.
//   4 in 5 specimens are CBCs (xn-1, 20 results), 1 in 5 coagulation (cs-1, 4 results); 1 in 25
//   is rerun (a second message of 3 results, its first WBC or PT_SEC decided rerun); 1 in 8 has a
//   result held by a rule, later released by a technologist (a second decision).
//
//
// Beside it, the other reader of that day's results: the rules' history reads
// (rules::DatabaseResultArchive) while `results` is locked.
//
//   report_bench --pg "host=DIR user=postgres" [--specimens N] [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "server/report/autoverification_records.hpp"
#include "server/report/autoverification_report.hpp"
#include "server/rules/database_result_archive.hpp"
#include "tests/bench/bench_database.hpp"

namespace hemalink::bench {
namespace {

constexpr const char* kDay = R"sql(
INSERT INTO analyzers (name, driver) VALUES ('xn-1', 'sysmex-xn'), ('cs-1', 'sysmex-cs');
CREATE TEMP TABLE day AS
SELECT i, k, (i % 5 = 0) AS coag, (i % 8 = 3) AS held, (i % 25 = 7) AS rerun,
       md5('m' || i || '-' || k)::uuid AS message_id, 'S' || lpad(i::text, 7, '0') AS specimen_id,
       CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END AS analyzer_id,
       '2026-12-01 00:00+00'::timestamptz + i * interval '500 ms' + k * interval '10 min' AS at
FROM generate_series(1, {}) i, LATERAL (SELECT 0 AS k UNION ALL SELECT 1 WHERE i % 25 = 7) m;
INSERT INTO messages (id, analyzer_id, direction, protocol, received_at, raw, content_hash, status)
SELECT message_id, analyzer_id, 'in', 'astm', at, '\x00', '\x00', 'accepted' FROM day;
INSERT INTO specimens (message_id, analyzer_id, specimen_id, kind, received_at)
SELECT message_id, analyzer_id, specimen_id, 'patient', at FROM day;
INSERT INTO results (specimen_row_id, message_id, analyzer_id, specimen_id, code, raw_code,
                     is_mapped, value, status, received_at)
SELECT s.id, s.message_id, s.analyzer_id, s.specimen_id, c.code, c.code, true, '1.0', 'final',
       s.received_at
FROM specimens s JOIN day ON day.message_id = s.message_id,
LATERAL unnest(CASE WHEN day.coag THEN ARRAY['PT_SEC', 'INR', 'APTT', 'FIB']
  ELSE ARRAY['WBC', 'RBC', 'HGB', 'HCT', 'MCV', 'MCH', 'MCHC', 'PLT', 'RDW_CV', 'MPV', 'NEUT_PCT',
             'LYMPH_PCT', 'MONO_PCT', 'EO_PCT', 'BASO_PCT', 'NEUT_ABS', 'LYMPH_ABS', 'MONO_ABS',
             'EO_ABS', 'BASO_ABS'] END) WITH ORDINALITY c (code, n)
WHERE day.k = 0 OR c.n <= 3;
INSERT INTO decisions (result_id, decision, rules_fired, rule_set_version, decided_by, reason,
                       decided_at, is_current)
SELECT r.id, v.decision, CASE v.decision
    WHEN 'hold' THEN '[{{"rule_id": "diff-check", "action": "hold", "reason": "look at the smear"}}]'
    WHEN 'rerun' THEN '[{{"rule_id": "rerun-high", "action": "rerun", "reason": "rerun to confirm"}}]'
    ELSE '[{{"rule_id": "in-limits", "action": "release", "reason": "within limits"}}]' END::jsonb,
  'bench-1', 'rules:bench-1', CASE v.decision WHEN 'release' THEN 'released by in-limits'
    ELSE 'held' END, r.received_at, v.decision <> 'hold'
FROM results r JOIN day ON day.message_id = r.message_id,
LATERAL (SELECT CASE WHEN day.held AND r.code IN ('NEUT_PCT', 'APTT') THEN 'hold'
  WHEN day.rerun AND day.k = 0 AND r.code IN ('WBC', 'PT_SEC') THEN 'rerun'
  ELSE 'release' END AS decision) v;
INSERT INTO decisions (result_id, decision, decided_by, reason, decided_at)
SELECT result_id, 'release', 'user:bench', 'smear looked fine', decided_at + interval '5 min'
FROM decisions WHERE NOT is_current;
ANALYZE;
)sql";

std::string dsn;
std::vector<report::TruthSpecimen> truth;
long long results = 0;

void load_day(const std::string& pg, int specimens) {
  dsn = fresh_database(pg, "hemalink_report_bench");
  pqxx::connection c(dsn);
  pqxx::work tx(c);
  tx.exec(fmt::format(kDay, specimens));
  results = tx.exec1("SELECT count(*) FROM results")[0].as<long long>();
  tx.commit();
  for (int i = 1; i <= specimens; ++i) {
    report::TruthSpecimen t;
    t.specimen_id = fmt::format("S{:07}", i);
    t.profile = i % 3 == 0 ? "oncology" : i % 3 == 1 ? "hospital" : "outpatient";
    t.truth = {i % 10 == 0 ? "acute-leukaemia" : "healthy", i % 10 == 0, ""};
    truth.push_back(std::move(t));
  }
}

std::vector<std::string> truth_ids() {
  std::vector<std::string> ids;
  for (const auto& t : truth) {
    ids.push_back(t.specimen_id);
  }
  return ids;
}

// The whole day: read, counted against the truth.
void report_av(benchmark::State& state) {
  const auto ids = truth_ids();
  for (auto _ : state) {
    auto records = report::read_autoverification(dsn, std::nullopt, ids);
    if (!records) {
      state.SkipWithError(records.error().detail.c_str());
      return;
    }
    benchmark::DoNotOptimize(report::measure_autoverification(*records, truth, 10));
  }
  state.counters["specimens/s"] = benchmark::Counter(static_cast<double>(truth.size()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
  state.counters["results/s"] = benchmark::Counter(static_cast<double>(results),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

std::string last_hour_start() {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  return n.exec1("SELECT to_json(max(received_at) - interval '1 hour') #>> '{}' FROM specimens")[0]
      .as<std::string>();
}

// The last hour of the day (7,200 specimens) with --since.
void report_av_last_hour(benchmark::State& state) {
  const auto ids = truth_ids();
  const std::optional<std::string> since = last_hour_start();
  for (auto _ : state) {
    auto records = report::read_autoverification(dsn, since, ids);
    if (!records) {
      state.SkipWithError(records.error().detail.c_str());
      return;
    }
    benchmark::DoNotOptimize(report::measure_autoverification(*records, truth, 10));
  }
}

// `results` locked, as a long migration or a VACUUM FULL locks it, until destroyed.
struct LockedResults {
  pqxx::connection c{dsn};
  pqxx::work tx{c};
  LockedResults() { tx.exec("LOCK TABLE results IN ACCESS EXCLUSIVE MODE"); }
};

constexpr std::chrono::milliseconds kStatementTimeout{100};

// One iteration: a fresh archive with `warm` connections opened and planned before the lock, then
// `failures_first` reads that fail on it untimed, then the read timed. What a read returns is
// checked by tests/server/rules/database_result_archive_pgtest.cpp; here, how long it takes.
void time_locked_read(benchmark::State& state, std::size_t warm, int failures_first) {
  for (auto _ : state) {
    rules::DatabaseResultArchive archive(dsn, kStatementTimeout);
    archive.warm_up(warm);
    const LockedResults lock;
    for (int i = 0; i < failures_first; ++i) {
      if (archive.patient_results("P-1", "HGB", {})) {
        state.SkipWithError("a read of the locked table answered");
        return;
      }
    }
    const auto started = std::chrono::steady_clock::now();
    const auto read = archive.patient_results("P-1", "HGB", {});
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (read) {
      state.SkipWithError("a read of the locked table answered");
      return;
    }
  }
}

// Gives up at the statement timeout (100 ms): "cannot read", the decisions that needed history
// held.
void archive_read_of_a_locked_table(benchmark::State& state) {
  time_locked_read(state, 1, 0);
}

// Within the second after a failure, answers "cannot read" at once, without trying.
void archive_read_after_a_failure(benchmark::State& state) {
  time_locked_read(state, 2, 1);
}

BENCHMARK(report_av)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(report_av_last_hour)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(archive_read_of_a_locked_table)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(10);
BENCHMARK(archive_read_after_a_failure)
    ->Unit(benchmark::kMicrosecond)
    ->UseManualTime()
    ->Iterations(10);

}  // namespace
}  // namespace hemalink::bench

int main(int argc, char** argv) {
  std::string pg;
  int specimens = 100000;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--pg" && i + 1 < argc) {
      pg = argv[++i];
    } else if (arg == "--specimens" && i + 1 < argc) {
      specimens = std::stoi(argv[++i]);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (pg.empty()) {
    fmt::print(stderr, "usage: report_bench --pg \"host=DIR user=postgres\" [--specimens N]\n");
    return 2;
  }
  hemalink::bench::load_day(pg, specimens);
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
