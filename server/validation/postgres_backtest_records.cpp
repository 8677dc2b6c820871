#include "server/validation/postgres_backtest_records.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/epoch_seconds.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::validation {

using store::epoch_seconds;
using store::on_thread_connection;

namespace {

constexpr const char* kStart =
    "INSERT INTO rule_backtests (candidate_version, candidate, requested_by, period_from,"
    " period_to, analyzers) VALUES ($1, $2::jsonb, $3, to_timestamp($4), to_timestamp($5),"
    " $6::text[]) RETURNING id";

constexpr const char* kProgress =
    "UPDATE rule_backtests SET specimens_done = $2, specimens_total = $3"
    " WHERE id = $1 AND status = 'running'";

constexpr const char* kFinish =
    "UPDATE rule_backtests SET status = 'done', report = $2::jsonb, false_negatives = $3,"
    " specimens_done = coalesce(specimens_total, specimens_done), finished_at = now()"
    " WHERE id = $1";

constexpr const char* kFail =
    "UPDATE rule_backtests SET status = 'failed', error = $2, finished_at = now() WHERE id = $1";

constexpr const char* kFields =
    "'id', b.id, 'candidate_version', b.candidate_version,"
    " 'requested_by', b.requested_by, 'from', b.period_from, 'to', b.period_to,"
    " 'analyzers', b.analyzers, 'status', b.status, 'specimens_total', b.specimens_total,"
    " 'specimens_done', b.specimens_done, 'false_negatives', b.false_negatives,"
    " 'error', b.error, 'started_at', b.started_at, 'finished_at', b.finished_at";

std::optional<double> bound(const std::optional<TimePoint>& at) {
  return at ? std::optional<double>(epoch_seconds(*at)) : std::nullopt;
}

std::string files_json(const std::vector<rules::RuleSource>& files) {
  auto out = nlohmann::json::array();
  for (const auto& f : files) {
    out.push_back({{"name", f.name}, {"text", f.text}});
  }
  return out.dump();
}

}  // namespace

Result<long long, Error> PostgresBacktestRecords::start(const BacktestRequest& r) {
  return on_thread_connection(
      dsn_, "recording a backtest", [&](pqxx::connection& c) -> Result<long long, Error> {
        pqxx::work tx(c);
        const auto id = tx.exec_params1(kStart, r.candidate_version, files_json(r.candidate),
                                        r.requested_by, bound(r.period.from), bound(r.period.to),
                                        store::text_array(r.analyzers))[0]
                            .as<long long>();
        tx.commit();
        return id;
      });
}

Result<void, Error> PostgresBacktestRecords::progress(long long id, long long done,
                                                      long long total) {
  return on_thread_connection(dsn_, fmt::format("recording backtest {}'s progress", id),
                              [&](pqxx::connection& c) -> Result<void, Error> {
                                pqxx::nontransaction(c).exec_params(kProgress, id, done, total);
                                return {};
                              });
}

Result<void, Error> PostgresBacktestRecords::finish(long long id, const BacktestReport& report) {
  return on_thread_connection(dsn_, fmt::format("recording backtest {}'s report", id),
                              [&](pqxx::connection& c) -> Result<void, Error> {
                                pqxx::nontransaction(c).exec_params(kFinish, id,
                                                                    report_json(report),
                                                                    report.false_negative_results);
                                return {};
                              });
}

Result<void, Error> PostgresBacktestRecords::fail(long long id, const std::string& why) {
  return on_thread_connection(dsn_, fmt::format("recording backtest {}'s failure", id),
                              [&](pqxx::connection& c) -> Result<void, Error> {
                                pqxx::nontransaction(c).exec_params(kFail, id, why);
                                return {};
                              });
}

Result<std::string, Error> PostgresBacktestRecords::find(long long id) {
  return on_thread_connection(
      dsn_, fmt::format("reading backtest {}", id),
      [&](pqxx::connection& c) -> Result<std::string, Error> {
        pqxx::read_transaction tx(c);
        const auto rows =
            tx.exec_params(fmt::format("SELECT json_build_object({}, 'report', b.report)::text"
                                       " FROM rule_backtests b WHERE b.id = $1",
                                       kFields),
                           id);
        return rows.empty() ? std::string() : rows[0][0].as<std::string>();
      });
}

Result<std::string, Error> PostgresBacktestRecords::list(std::size_t limit) {
  return on_thread_connection(
      dsn_, "listing the backtests", [&](pqxx::connection& c) -> Result<std::string, Error> {
        pqxx::read_transaction tx(c);
        return tx
            .exec_params1(fmt::format("SELECT coalesce(json_agg(json_build_object({})"
                                      " ORDER BY b.id DESC), '[]')::text FROM (SELECT *"
                                      " FROM rule_backtests ORDER BY id DESC LIMIT $1) b",
                                      kFields),
                          static_cast<long long>(limit))[0]
            .as<std::string>();
      });
}

}  // namespace hemalink::validation
