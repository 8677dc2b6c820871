#include "server/qc/control_history.hpp"

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/epoch_seconds.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::qc {

using records::StoredAveragePoint;
using records::StoredJudgement;

using store::epoch_seconds;
using store::from_epoch_seconds;
using store::on_thread_connection;
using store::StoreError;
using store::thread_connection;

namespace {

// A start-up read: it ranks every row, which is fine for the QC of years (a few hundred thousand
// rows); the latest rows of each control are what it keeps.
constexpr const char* kHistory =
    "SELECT a.name, q.test, q.material, q.level, q.lot, q.value, q.phase = 'establishing',"
    " q.target_mean, q.target_sd, q.z, q.run_id, extract(epoch FROM q.run_started_at),"
    " q.run_values::text, q.violations::text, q.run_rejected, q.measurement,"
    " extract(epoch FROM q.evaluated_at)"
    " FROM (SELECT *, row_number() OVER (PARTITION BY analyzer_id, test, material, level, lot"
    "       ORDER BY id DESC) AS rank FROM qc_evaluations) q"
    " JOIN analyzers a ON a.id = q.analyzer_id"
    " WHERE q.rank <= $1 ORDER BY q.id";

// A backtest's read: every judgement and average point made before $1 (or all), oldest first.
constexpr const char* kTimeline =
    "SELECT a.name, q.test, q.material, q.level, q.lot, q.value, q.phase = 'establishing',"
    " q.target_mean, q.target_sd, q.z, q.run_id, extract(epoch FROM q.run_started_at),"
    " q.run_values::text, q.violations::text, q.run_rejected, q.measurement,"
    " extract(epoch FROM q.evaluated_at)"
    " FROM qc_evaluations q JOIN analyzers a ON a.id = q.analyzer_id"
    " WHERE q.evaluated_at < coalesce(to_timestamp($1), 'infinity') ORDER BY q.evaluated_at, q.id";

constexpr const char* kAverageTimeline =
    "SELECT a.name, extract(epoch FROM p.at),"
    " p.test, p.method, p.value, p.results, p.target, p.low, p.high, p.is_excursion,"
    " p.acts_on_gate, p.outside_points FROM qc_patient_averages p"
    " JOIN analyzers a ON a.id = p.analyzer_id"
    " WHERE p.at < coalesce(to_timestamp($1), 'infinity') ORDER BY p.at, p.id";

constexpr const char* kLatestAverages =
    "SELECT DISTINCT ON (p.analyzer_id, p.test, p.method) a.name, extract(epoch FROM p.at),"
    " p.test, p.method, p.value, p.results, p.target, p.low, p.high, p.is_excursion,"
    " p.acts_on_gate, p.outside_points FROM qc_patient_averages p JOIN analyzers a ON a.id = "
    "p.analyzer_id"
    " ORDER BY p.analyzer_id, p.test, p.method, p.id DESC";

StoredAveragePoint read_average(const pqxx::row& r) {
  StoredAveragePoint out;
  out.analyzer = r[0].as<std::string>();
  out.at = from_epoch_seconds(r[1].as<double>());
  auto& p = out.point;
  p.test = r[2].as<std::string>();
  p.method = r[3].as<std::string>();
  p.value = r[4].as<double>();
  p.results = r[5].as<std::size_t>();
  p.target = r[6].as<double>();
  p.low = r[7].as<double>();
  p.high = r[8].as<double>();
  p.is_excursion = r[9].as<bool>();
  p.acts_on_gate = r[10].as<bool>();
  p.outside = r[11].as<std::size_t>();
  return out;
}

std::optional<double> optional_number(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<double>(f.as<double>());
}

StoredJudgement read_row(const pqxx::row& r) {
  StoredJudgement out;
  out.analyzer = r[0].as<std::string>();
  auto& j = out.judgement;
  j.test = r[1].as<std::string>();
  j.material = r[2].as<std::string>();
  j.level = r[3].as<std::string>();
  j.lot = r[4].as<std::string>();
  j.value = r[5].as<double>();
  j.is_establishing = r[6].as<bool>();
  j.mean = optional_number(r[7]);
  j.sd = optional_number(r[8]);
  j.z = optional_number(r[9]);
  j.run_id = r[10].as<std::string>();
  if (!r[11].is_null()) {
    j.run_started_at = from_epoch_seconds(r[11].as<double>());
  }
  for (const auto& v : nlohmann::json::parse(r[12].as<std::string>())) {
    j.run_values.push_back({v.at("level").get<std::string>(), v.at("z").get<double>()});
  }
  for (const auto& v : nlohmann::json::parse(r[13].as<std::string>())) {
    j.violations.push_back({v.at("rule").get<std::string>(), v.at("detail").get<std::string>()});
  }
  j.run_rejected = r[14].as<bool>();
  j.measurement = r[15].as<std::string>();
  out.evaluated_at = from_epoch_seconds(r[16].as<double>());
  return out;
}

Result<QcHistory, StoreError> judgements_and_averages(const std::string& dsn,
                                                      std::size_t per_control) {
  return on_thread_connection(
      dsn, "reading the QC judgements to rebuild the QC state",
      [&](pqxx::connection& c) -> Result<QcHistory, StoreError> {
        pqxx::read_transaction tx(c);
        QcHistory out;
        for (const auto& row : tx.exec_params(kHistory, static_cast<long long>(per_control))) {
          out.judgements.push_back(read_row(row));
        }
        for (const auto& row : tx.exec(kLatestAverages)) {
          out.averages.push_back(read_average(row));
        }
        return out;
      });
}

}  // namespace

Result<QcHistory, StoreError> control_timeline(
    const std::string& dsn, std::optional<std::chrono::system_clock::time_point> before) {
  return on_thread_connection(dsn, "reading the QC judgements of the archive",
                              [&](pqxx::connection& c) -> Result<QcHistory, StoreError> {
                                pqxx::read_transaction tx(c);
                                // No end is an infinite one (a null optional warns at -O3: GCC's
                                // maybe-uninitialized).
                                const double bound = before
                                                         ? epoch_seconds(*before)
                                                         : std::numeric_limits<double>::infinity();
                                QcHistory out;
                                for (const auto& row : tx.exec_params(kTimeline, bound)) {
                                  out.judgements.push_back(read_row(row));
                                }
                                for (const auto& row : tx.exec_params(kAverageTimeline, bound)) {
                                  out.averages.push_back(read_average(row));
                                }
                                return out;
                              });
}

Result<QcHistory, StoreError> control_history(const std::string& dsn, std::size_t per_control) {
  auto history = judgements_and_averages(dsn, per_control);
  if (!history) {
    return history;
  }
  auto definitions = qc_definitions(dsn);
  if (!definitions) {
    return definitions.error();
  }
  history->definitions = std::move(*definitions);
  return history;
}

}  // namespace hemalink::qc
