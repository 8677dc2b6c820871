// Durable ingest benchmark: CBC messages through the Store (group commit, synchronous_commit on,
// fsync on) into a fresh database, beside psql's plain COPY of the same rows into the same tables
// as the floor. Prints results/s, messages/s and commit latency (submit to completion).
//
//   store_bench --dsn DSN_OF_AN_EMPTY_DATABASE [--copy-dsn DSN_OF_ANOTHER] [--messages N]
//               [--producers P] [--writers W] [--batch B] [--wait-us U]
//   store_bench --copy-floor DSN_OF_AN_EMPTY_DATABASE --hl7 1 [--messages N]
//               only the psql COPY floor, of the HL7 CBCs `hemalink simulate --generate lab-day`
//               sends (the daemon benchmarks' floor), printed as "copy floor: R messages/s"
#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/config/mapping_json.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/simulate/lab_day_messages.hpp"
#include "server/store/batch_rows.hpp"
#include "server/store/json_rows.hpp"
#include "server/store/migrations.hpp"
#include "server/store/resend_key.hpp"
#include "server/store/store.hpp"

namespace hemalink::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string dsn;
  std::string copy_dsn;
  std::size_t messages = 6000;
  std::size_t producers = 32;
  std::size_t writers = 2;
  std::size_t batch = 256;
  long wait_us = 0;
  std::string copy_floor;  // only the floor, into this database
  bool hl7 = false;        // the simulator's HL7 CBCs rather than ASTM ones
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--dsn")
      o.dsn = value;
    else if (flag == "--copy-dsn")
      o.copy_dsn = value;
    else if (flag == "--messages")
      o.messages = std::stoul(value);
    else if (flag == "--producers")
      o.producers = std::stoul(value);
    else if (flag == "--writers")
      o.writers = std::stoul(value);
    else if (flag == "--batch")
      o.batch = std::stoul(value);
    else if (flag == "--wait-us")
      o.wait_us = std::stol(value);
    else if (flag == "--copy-floor")
      o.copy_floor = value;
    else if (flag == "--hl7")
      o.hl7 = value == "1";
    else
      throw std::runtime_error("unknown option " + flag);
  }
  if (o.dsn.empty() && o.copy_floor.empty())
    throw std::runtime_error("--dsn or --copy-floor is required");
  return o;
}

// The lab's common case: results inside the analyzer's normal flags are released, the rest held.
std::vector<model::Decision> release_normals(model::ResultSet& set, const records::Receipt&,
                                             const records::TestStatuses*) {
  std::vector<model::Decision> out;
  for (const auto& o : set.observations) {
    model::Decision d;
    d.verdict = o.abnormal_flag.empty() || o.abnormal_flag == "N" ? model::Verdict::Release
                                                                  : model::Verdict::Hold;
    d.decided_by = "rules:bench";
    out.push_back(d);
  }
  return out;
}

std::vector<store::StoreRequest> cbc_requests(std::size_t count, bool hl7) {
  const char* driver = hl7 ? "generic-hl7" : "sysmex-xn";
  const char* base = hl7 ? "loinc-cbc" : "sysmex-xn";
  ingest::MessageReader reader(release_normals);
  for (int i = 0; i < 8; ++i) {
    auto mappings = config::load_mappings(base, "", "");
    reader.add_analyzer(fmt::format("xn-{}", i),
                        drivers::make_driver(driver, {*mappings, Charset::Latin1, {}}));
  }
  std::vector<store::StoreRequest> requests;
  std::size_t n = 0;
  const auto protocol = hl7 ? model::WireProtocol::Hl7 : model::WireProtocol::Astm;
  for (auto& raw : simulate::lab_day_cbc_messages(protocol, count, 42)) {
    records::Receipt r;
    r.id = model::MessageId::generate();
    r.analyzer = fmt::format("xn-{}", n++ % 8);
    r.driver = driver;
    r.protocol = hl7 ? model::WireProtocol::Hl7 : model::WireProtocol::Astm;
    r.peer_address = "127.0.0.1:5001";
    r.received_at = std::chrono::system_clock::now();
    r.raw = std::move(raw);
    auto content = reader.read(r);
    requests.push_back({std::move(r), std::move(content)});
  }
  return requests;
}

std::size_t result_count(const std::vector<store::StoreRequest>& requests) {
  std::size_t n = 0;
  for (const auto& r : requests)
    n += store::count_observations(*r.content);
  return n;
}

struct IngestRun {
  double seconds = 0;
  std::vector<double> latencies_ms;
  std::map<store::StoreOutcome, std::size_t> outcomes;
};

IngestRun run_store(const Options& o, const std::vector<store::StoreRequest>& requests) {
  store::StoreOptions options;
  options.dsn = o.dsn;
  options.writers = o.writers;
  options.max_batch_messages = o.batch;
  options.max_batch_wait = std::chrono::microseconds(o.wait_us);
  options.lis_routes = {{"lis", {}}};
  options.spool_dir = std::filesystem::temp_directory_path() / "hemalink-store-bench-spool";
  std::filesystem::remove_all(options.spool_dir);
  store::Store store(
      options, store::read_each([](const records::Receipt&) { return records::MessageContent{}; }));

  IngestRun run;
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t remaining = requests.size();
  run.latencies_ms.reserve(requests.size());
  const auto start = Clock::now();
  std::vector<std::thread> producers;
  // Each producer is one analyzer session: it waits for its message's commit before the next,
  // exactly as an analyzer waits for the acknowledgement.
  for (std::size_t p = 0; p < o.producers; ++p) {
    producers.emplace_back([&, p] {
      for (std::size_t i = p; i < requests.size(); i += o.producers) {
        std::mutex one;
        std::condition_variable done_cv;
        bool done = false;
        const auto submitted = Clock::now();
        auto queued = store.submit(requests[i], [&](const store::Completion& c) {
          const double ms =
              std::chrono::duration<double, std::milli>(Clock::now() - submitted).count();
          {
            std::lock_guard lock(mutex);
            run.latencies_ms.push_back(ms);
            ++run.outcomes[c.outcome];
            --remaining;
          }
          cv.notify_all();
          std::lock_guard lock(one);
          done = true;
          done_cv.notify_all();
        });
        if (!queued)
          throw std::runtime_error(queued.error().detail);
        std::unique_lock lock(one);
        done_cv.wait(lock, [&] { return done; });
      }
    });
  }
  for (auto& t : producers)
    t.join();
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return remaining == 0; });
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::filesystem::remove_all(options.spool_dir);
  return run;
}

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string columns(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

// One value of the store's JSON rows as COPY text: PostgreSQL arrays for the array columns named,
// JSON text for the others that are JSON.
void append_copy_value(std::string& out, const nlohmann::json& v, bool is_pg_array) {
  const auto escaped = [&out](const std::string& text) {
    for (char c : text) {
      if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
        out.push_back('\\');
        c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
      }
      out.push_back(c);
    }
  };
  if (v.is_null()) {
    out.append("\\N");
  } else if (v.is_string()) {
    escaped(v.get<std::string>());
  } else if (v.is_boolean()) {
    out.push_back(v.get<bool>() ? 't' : 'f');
  } else if (v.is_array() && is_pg_array) {
    std::string literal = "{";
    for (const auto& e : v) {
      literal += literal.size() > 1 ? "," : "";
      literal += e.is_string() ? nlohmann::json(e.get<std::string>()).dump() : e.dump();
    }
    escaped(literal + "}");
  } else {
    escaped(v.dump());
  }
}

// The store's JSON rows of one table as COPY text, the columns in `columns` order.
std::string copy_text(const std::string& rows, const std::vector<std::string>& columns,
                      const std::set<std::string>& pg_arrays) {
  std::string out;
  for (const auto& row : nlohmann::json::parse(store::json_array(rows))) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i != 0)
        out.push_back('\t');
      const auto it = row.find(columns[i]);
      append_copy_value(out, it == row.end() ? nlohmann::json() : *it,
                        pg_arrays.contains(columns[i]));
    }
    out.push_back('\n');
  }
  return out;
}

// The same rows the store writes, as COPY files, loaded by psql in one transaction.
double run_copy(const std::string& dsn, const std::vector<store::StoreRequest>& requests) {
  const auto dir = std::filesystem::temp_directory_path() / "hemalink-store-bench-copy";
  std::filesystem::create_directories(dir);
  std::map<std::string, long long> analyzer_ids;
  std::string analyzers_sql;
  for (const auto& r : requests) {
    if (analyzer_ids.emplace(r.receipt.analyzer, analyzer_ids.size() + 1).second) {
      analyzers_sql += fmt::format(
          "INSERT INTO analyzers (id, name, driver) OVERRIDING SYSTEM VALUE VALUES ({}, '{}', "
          "'sysmex-xn');\n",
          analyzer_ids.size(), r.receipt.analyzer);
    }
  }
  std::string messages;
  store::BatchRows rows;
  store::IdPool pool;
  const records::LisRoutes routes = {{"lis", {}}};
  long long specimens = 0;
  long long results = 0;
  for (const auto& r : requests) {
    for (const auto& set : r.content->result_sets) {
      pool.specimens.push_back(++specimens);
      for (std::size_t k = 0; k < set.observations.size(); ++k)
        pool.results.push_back(++results);
    }
  }
  const std::vector<std::string> message_columns = {
      "id",  "analyzer_id",  "direction",  "protocol", "peer_address", "received_at",
      "raw", "content_hash", "control_id", "status",   "resend_key"};
  for (const auto& r : requests) {
    const auto analyzer = analyzer_ids[r.receipt.analyzer];
    store::JsonRow(messages, message_columns)
        .text(r.receipt.id.to_string())
        .integer(analyzer)
        .text("in")
        .text(model::to_string(r.receipt.protocol))
        .text(r.receipt.peer_address)
        .timestamp(r.receipt.received_at)
        .bytea(r.receipt.raw)
        .bytea(sha256(r.receipt.raw))
        .text(r.content->control_id)
        .text("accepted")
        .bytea(store::resend_key(r.receipt.protocol, r.receipt.raw));
    store::append_result_rows(rows, r, analyzer, pool, routes);
  }
  struct Table {
    std::string name;
    std::string copy;
    const std::vector<std::string>& columns;
  };
  const std::vector<Table> tables = {
      {"messages", copy_text(messages, message_columns, {}), message_columns},
      {"specimens", copy_text(rows.specimens, store::kSpecimenColumns, {}),
       store::kSpecimenColumns},
      {"results", copy_text(rows.results, store::kResultColumns, {"flags", "comments"}),
       store::kResultColumns},
      {"decisions", copy_text(rows.decisions, store::kDecisionColumns, {}),
       store::kDecisionColumns},
      {"outbox", copy_text(rows.outbox, store::kOutboxColumns, {"result_ids"}),
       store::kOutboxColumns}};
  std::string script = analyzers_sql;
  for (const auto& table : tables) {
    const auto file = dir / (table.name + ".copy");
    std::ofstream(file, std::ios::binary) << table.copy;
    script += fmt::format("\\copy {} ({}) FROM '{}'\n", table.name, columns(table.columns),
                          file.string());
  }
  std::ofstream(dir / "load.sql") << script;
  const auto command = fmt::format("psql -q -X -v ON_ERROR_STOP=1 -1 -d '{}' -f '{}'", dsn,
                                   (dir / "load.sql").string());
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("psql COPY failed: " + command);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::filesystem::remove_all(dir);
  return seconds;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

void migrate_or_throw(const std::string& dsn) {
  auto migrated = store::migrate(dsn, store::shipped_migrations());
  if (!migrated)
    throw std::runtime_error(migrated.error().detail);
}

std::string setting(const std::string& dsn, const std::string& name) {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  return n.exec1("SHOW " + name)[0].as<std::string>();
}

int run(int argc, char** argv) {
  const auto o = parse(argc, argv);
  if (!o.copy_floor.empty()) {
    migrate_or_throw(o.copy_floor);
    const auto requests = cbc_requests(o.messages, o.hl7);
    const double seconds = run_copy(o.copy_floor, requests);
    fmt::print("copy floor: {:.0f} messages/s ({} CBC messages, {} results, one transaction)\n",
               requests.size() / seconds, requests.size(), result_count(requests));
    return 0;
  }
  migrate_or_throw(o.dsn);
  const auto requests = cbc_requests(o.messages, false);
  const auto results = result_count(requests);
  fmt::print("durable ingest: {} CBC messages, {} results; fsync={}, synchronous_commit={}\n",
             requests.size(), results, setting(o.dsn, "fsync"),
             setting(o.dsn, "synchronous_commit"));
  fmt::print(
      "store: {} producers (each waits for its commit), {} writers, batch <= {} "
      "messages or {} us\n",
      o.producers, o.writers, o.batch, o.wait_us);
  const auto ingest = run_store(o, requests);
  std::string others;  // spooled over the ack budget is durable, but worth showing
  for (const auto& [outcome, n] : ingest.outcomes) {
    if (outcome == store::StoreOutcome::Failed) {
      throw std::runtime_error(fmt::format("{} messages failed", n));
    }
    if (outcome != store::StoreOutcome::Stored) {
      others += fmt::format(", {} {}", n, store::to_string(outcome));
    }
  }
  const double store_rate = results / ingest.seconds;
  fmt::print(
      "  hemalink store : {:>9.0f} results/s  {:>7.0f} messages/s  commit p50 {:.2f} ms  "
      "p99 {:.2f} ms{}\n",
      store_rate, requests.size() / ingest.seconds, percentile(ingest.latencies_ms, 0.50),
      percentile(ingest.latencies_ms, 0.99), others);
  if (!o.copy_dsn.empty()) {
    migrate_or_throw(o.copy_dsn);
    const double copy_seconds = run_copy(o.copy_dsn, requests);
    const double copy_rate = results / copy_seconds;
    fmt::print("  psql COPY floor: {:>9.0f} results/s  {:>7.0f} messages/s  (one transaction)\n",
               copy_rate, requests.size() / copy_seconds);
    fmt::print("  store / COPY   : {:.0f}%\n", 100.0 * store_rate / copy_rate);
  }
  return 0;
}

}  // namespace
}  // namespace hemalink::bench

int main(int argc, char** argv) {
  try {
    return hemalink::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_bench: %s\n", e.what());
    return 1;
  }
}
