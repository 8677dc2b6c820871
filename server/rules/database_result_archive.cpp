#include "server/rules/database_result_archive.hpp"
#include "server/store/thread_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <tuple>

#include "server/store/epoch_seconds.hpp"
#include "server/store/sql_arrays.hpp"

namespace hemalink::rules {

using store::epoch_seconds;
using store::from_epoch_seconds;
using store::text_array;
using store::thread_connection;
using store::with_connect_timeout;

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kQuietAfterFailure = std::chrono::seconds(1);
constexpr int kConnectTimeoutSeconds = 2;

// Kind 0: the newest results of each (patient, code) pair asked, one index probe per pair
// (results_for_delta); kind 1: every earlier result of each specimen asked
// (specimens_by_specimen_id, then results_by_specimen_row). $6, when not null: only what was
// received before it (a replay of the archive as it was then). One statement: no BEGIN, no COMMIT,
// one round trip.
constexpr const char* kHistories =
    "SELECT 0, q.patient, q.code, r.specimen_id, r.numeric_value,"
    " extract(epoch FROM r.received_at)::float8, r.id"
    " FROM unnest($1::text[], $2::text[]) AS q(patient, code)"
    " CROSS JOIN LATERAL (SELECT specimen_id, numeric_value, received_at, id FROM results"
    "   WHERE patient_id = q.patient AND code = q.code AND patient_id <> '' AND NOT is_qc"
    "   AND numeric_value IS NOT NULL AND received_at >= to_timestamp($3)"
    "   AND received_at < coalesce(to_timestamp($6), 'infinity')"
    "   ORDER BY received_at DESC LIMIT $5) r"
    " UNION ALL"
    " SELECT 1, s.specimen_id, r.code, '', r.numeric_value,"
    " extract(epoch FROM r.received_at)::float8, r.id"
    " FROM specimens s JOIN results r ON r.specimen_row_id = s.id"
    " WHERE s.specimen_id = ANY($4::text[]) AND NOT r.is_qc AND r.numeric_value IS NOT NULL"
    " AND r.received_at < coalesce(to_timestamp($6), 'infinity')";

// Newest first per pair, oldest first per specimen (received time, then row order).
void put_in_order(
    ResultArchive::Histories& found,
    std::map<std::string,
             std::vector<std::tuple<double, long long, ResultArchive::SpecimenResult>>>&
        specimens) {
  for (auto& [pair, results] : found.patients) {
    std::stable_sort(results.begin(), results.end(),
                     [](const auto& a, const auto& b) { return a.received_at > b.received_at; });
  }
  for (auto& [id, rows] : specimens) {
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    auto& out = found.specimens[id];
    for (auto& row : rows) {
      out.push_back(std::move(std::get<2>(row)));
    }
  }
}

}  // namespace

// Planned once (planning cost more than running), and never a sequential scan: a plan made while
// the tables were young would otherwise read every specimen for every batch once they are not.
struct DatabaseResultArchive::Connection {
  Connection(const std::string& dsn, std::chrono::milliseconds statement_timeout)
      : c(with_connect_timeout(dsn, kConnectTimeoutSeconds)) {
    pqxx::nontransaction(c).exec(
        fmt::format("SET statement_timeout = {}; SET plan_cache_mode = force_generic_plan; "
                    "SET enable_seqscan = off",
                    statement_timeout.count()));
    c.prepare("histories", kHistories);
  }
  pqxx::connection c;
};

DatabaseResultArchive::DatabaseResultArchive(std::string dsn,
                                             std::chrono::milliseconds statement_timeout)
    : dsn_(std::move(dsn)), statement_timeout_(statement_timeout) {}

DatabaseResultArchive::~DatabaseResultArchive() = default;

void DatabaseResultArchive::warm_up(std::size_t connections) {
  std::vector<std::unique_ptr<Connection>> opened;
  try {
    for (std::size_t i = 0; i < connections; ++i) {
      opened.push_back(std::make_unique<Connection>(dsn_, statement_timeout_));
      ++open_;
      pqxx::nontransaction(opened.back()->c)
          .exec_prepared("histories", "{}", "{}", 0.0, "{}",
                         static_cast<long long>(kPatientResultsKept), std::optional<double>());
    }
  } catch (const std::exception& e) {
    spdlog::info("rules: the history readers will connect when first needed: {}", e.what());
  }
  for (auto& c : opened) {
    give_back(std::move(c));
  }
}

std::size_t DatabaseResultArchive::connections() const {
  return open_.load();
}

std::unique_ptr<DatabaseResultArchive::Connection> DatabaseResultArchive::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  auto connection = std::make_unique<Connection>(dsn_, statement_timeout_);
  ++open_;
  return connection;
}

void DatabaseResultArchive::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

template <typename Read>
auto DatabaseResultArchive::with_connection(Read read)
    -> decltype(read(std::declval<Connection&>())) {
  if (Clock::now().time_since_epoch().count() < quiet_until_.load()) {
    return std::nullopt;
  }
  std::unique_ptr<Connection> connection;
  try {
    connection = take();
    auto answer = read(*connection);
    give_back(std::move(connection));
    return answer;
  } catch (const std::exception& e) {
    spdlog::warn("rules: previous results cannot be read from the database: {}", e.what());
    if (connection) {
      --open_;
    }
    quiet_until_ = (Clock::now() + kQuietAfterFailure).time_since_epoch().count();
    return std::nullopt;
  }
}

std::optional<ResultArchive::Histories> DatabaseResultArchive::histories(
    const HistoryQuery& query) {
  if (query.patient_codes.empty() && query.specimen_ids.empty()) {
    return Histories{};
  }
  std::vector<std::string> patients;
  std::vector<std::string> codes;
  for (const auto& [patient, code] : query.patient_codes) {
    patients.push_back(patient);
    codes.push_back(code);
  }
  return with_connection([&](Connection& c) -> std::optional<Histories> {
    pqxx::nontransaction tx(c.c);
    const auto rows = tx.exec_prepared(
        "histories", text_array(patients), text_array(codes), epoch_seconds(query.since),
        text_array(query.specimen_ids), static_cast<long long>(kPatientResultsKept),
        query.before ? std::optional<double>(epoch_seconds(*query.before))
                     : std::optional<double>());
    Histories found;
    std::map<std::string, std::vector<std::tuple<double, long long, SpecimenResult>>> specimens;
    for (const auto& row : rows) {
      const auto at = row[5].as<double>();
      if (row[0].as<int>() == 0) {
        found.patients[{row[1].as<std::string>(), row[2].as<std::string>()}].push_back(
            {row[3].as<std::string>(), row[4].as<double>(), from_epoch_seconds(at)});
      } else {
        specimens[row[1].as<std::string>()].emplace_back(
            at, row[6].as<long long>(),
            SpecimenResult{row[2].as<std::string>(), row[4].as<double>()});
      }
    }
    put_in_order(found, specimens);
    return found;
  });
}

std::optional<std::vector<DatabaseResultArchive::PatientResult>>
DatabaseResultArchive::patient_results(std::string_view patient_id, std::string_view code,
                                       std::chrono::system_clock::time_point since) {
  return one_patient_history(patient_id, code, since);
}

std::optional<std::vector<DatabaseResultArchive::SpecimenResult>>
DatabaseResultArchive::specimen_results(std::string_view specimen_id) {
  return one_specimen_history(specimen_id);
}

}  // namespace hemalink::rules
