#include "server/validation/postgres_shadow_records.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/thread_connection.hpp"
#include "server/validation/backtest_report.hpp"

namespace hemalink::validation {

using nlohmann::json;

namespace {

// Each patient result the version decided in shadow, beside its first (automatic) decision and
// the decision in force now (`changed`: a person released it with another value), counted as a
// backtest counts: with the live set, and where a person decided, with the person.
constexpr const char* kCompared = R"sql(
WITH v AS (SELECT coalesce($1, (SELECT version FROM rule_set_versions WHERE status = 'shadow'))
             AS version),
pairs AS (
  SELECT sd.result_id, sd.decision AS shadow, sd.rules_fired AS shadow_fired, sd.decided_at,
    f.decision AS live, f.rules_fired AS live_fired, c.decision AS now,
    c.decided_by LIKE 'user:%' AS by_person, r.specimen_id, r.specimen_row_id, r.code, r.value,
    EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'result' AND l.entity_id = r.id::text
            AND l.action = 'release' AND l.before ->> 'value' <> l.after ->> 'value') AS changed
  FROM shadow_decisions sd JOIN results r ON r.id = sd.result_id AND NOT r.is_qc
  LEFT JOIN LATERAL (
    SELECT * FROM (
      (SELECT d.id, d.decision, d.rules_fired FROM decisions d
       WHERE d.result_id = r.id AND NOT d.is_current ORDER BY d.id LIMIT 1)
      UNION ALL
      (SELECT d.id, d.decision, d.rules_fired FROM decisions d
       WHERE d.result_id = r.id AND d.is_current)) first ORDER BY first.id LIMIT 1) f ON true
  LEFT JOIN decisions c ON c.result_id = r.id AND c.is_current
  WHERE sd.rule_set_version = (SELECT version FROM v)),
released AS (
  SELECT *, shadow = 'release' AS s, live = 'release' AS l,
    now = 'release' AND NOT changed AS p FROM pairs)
SELECT (SELECT version FROM v), (SELECT min(decided_at) FROM released)::text,
  (SELECT count(DISTINCT specimen_row_id) FROM released), count(*),
  count(*) FILTER (WHERE s AND l), count(*) FILTER (WHERE NOT s AND NOT l),
  count(*) FILTER (WHERE s AND NOT l), count(*) FILTER (WHERE NOT s AND l),
  count(*) FILTER (WHERE by_person AND s AND p), count(*) FILTER (WHERE by_person AND NOT s AND NOT p),
  count(*) FILTER (WHERE by_person AND s AND NOT p), count(*) FILTER (WHERE by_person AND NOT s AND p),
  (SELECT coalesce(json_agg(x ORDER BY x.decided_at DESC, x.result_id DESC), '[]')::text FROM (
     SELECT result_id, specimen_id, specimen_row_id, code, value, shadow, live, now, by_person,
       shadow_fired, live_fired, decided_at FROM released WHERE s <> l
     ORDER BY decided_at DESC, result_id DESC LIMIT $2) x)
FROM released
)sql";

Agreement agreement_of(const pqxx::row& row, int first) {
  return {row[first].as<long long>(), row[first + 1].as<long long>(),
          row[first + 2].as<long long>(), row[first + 3].as<long long>()};
}

}  // namespace

Result<std::string, Error> PostgresShadowRecords::comparison(
    const std::optional<std::string>& version, std::size_t limit) const {
  return store::on_thread_connection(
      dsn_, "comparing the shadow decisions",
      [&](pqxx::connection& c) -> Result<std::string, Error> {
        pqxx::read_transaction tx(c);
        const auto row = tx.exec_params1(kCompared, version, static_cast<long long>(limit));
        const auto people = agreement_of(row, 8);
        json out = {{"version", row[0].is_null() ? json(nullptr) : json(row[0].as<std::string>())},
                    {"since", row[1].is_null() ? json(nullptr) : json(row[1].as<std::string>())},
                    {"specimens", row[2].as<long long>()},
                    {"results", row[3].as<long long>()},
                    {"agreement",
                     {{"live", json::parse(agreement_json(agreement_of(row, 4)))},
                      {"people", json::parse(agreement_json(people))}}},
                    {"false_negatives", people.only_candidate_releases},
                    {"disagreements", json::parse(row[12].as<std::string>())}};
        return out.dump();
      });
}

}  // namespace hemalink::validation
