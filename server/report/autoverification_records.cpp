#include "server/report/autoverification_records.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/pg_error.hpp"
#include "server/store/sql_arrays.hpp"
#include "server/store/thread_connection.hpp"

namespace hemalink::report {

using store::error_from_current_exception;
using store::StoreError;
using store::text_array;
using store::thread_connection;
using store::with_connect_timeout;

namespace {

// The first decision of a result (the lowest ID) is the automatic one, written with the result;
// later ones are a technologist's. A result whose first decision is not found reads as held
// ("no decision recorded"), never as released. With a window, decisions are read from a day
// before it (the BRIN index on decided_at): a decision is made as its message is stored, so only
// a clock a day off between hemalink and PostgreSQL could leave one out, and that shows as held.
// The tallies group by specimen ID (not by transmission), and by test and analyzer over the
// counted specimens only, in one pass over the results.
constexpr const char* kTallies = R"sql(
WITH counted_ids AS (SELECT DISTINCT unnest($2::text[]) AS specimen_id),
firsts AS (
  SELECT DISTINCT ON (d.result_id) d.result_id, d.decision = 'release' AS released,
    CASE WHEN d.decision <> 'release' THEN coalesce(
      (SELECT string_agg(json_build_object('rule_id', f->>'rule_id',
                                           'reason', f->>'reason')::text, ',')
         FROM jsonb_array_elements(d.rules_fired) f
        WHERE f->>'action' IN ('hold', 'rerun', 'reject')),
      json_build_object('rule_id', '', 'reason', d.reason)::text) END AS holds
  FROM decisions d
  WHERE $1::timestamptz IS NULL OR d.decided_at >= $1::timestamptz - interval '1 day'
  ORDER BY d.result_id, d.id
),
tallied AS (
  SELECT s.specimen_id, r.code, a.name AS analyzer, c.specimen_id IS NOT NULL AS counted,
    count(*) AS results, count(*) FILTER (WHERE f.released) AS released,
    string_agg(CASE WHEN f.released IS NULL
                    THEN '{"rule_id": "", "reason": "no decision recorded"}'
                    ELSE f.holds END, ',') AS holds
  FROM specimens s
  JOIN analyzers a ON a.id = s.analyzer_id
  JOIN results r ON r.specimen_row_id = s.id
  LEFT JOIN firsts f ON f.result_id = r.id
  LEFT JOIN counted_ids c ON c.specimen_id = s.specimen_id
  WHERE s.kind = 'patient' AND ($1::timestamptz IS NULL OR (s.received_at >= $1::timestamptz
    AND NOT EXISTS (SELECT 1 FROM specimens e WHERE e.specimen_id = s.specimen_id
                       AND e.kind = 'patient' AND e.received_at < $1::timestamptz)))
  GROUP BY GROUPING SETS ((s.specimen_id), (counted, r.code), (counted, a.name))
)
SELECT 's', specimen_id, results, released, '[' || holds || ']' FROM tallied
 WHERE specimen_id IS NOT NULL
UNION ALL SELECT 't', code, results, released, NULL FROM tallied WHERE code IS NOT NULL AND counted
UNION ALL SELECT 'a', analyzer, results, released, NULL FROM tallied
 WHERE analyzer IS NOT NULL AND counted
)sql";

std::vector<HoldFiring> hold_firings(const pqxx::field& field) {
  std::vector<HoldFiring> out;
  if (field.is_null()) {
    return out;
  }
  for (const auto& firing : nlohmann::json::parse(field.c_str())) {
    out.push_back({firing.value("rule_id", ""), firing.value("reason", "")});
  }
  return out;
}

}  // namespace

Result<AutoverificationRecords, StoreError> read_autoverification(
    const std::string& dsn, const std::optional<std::string>& since,
    const std::vector<std::string>& counted) {
  try {
    pqxx::connection c(with_connect_timeout(dsn, 5));
    pqxx::read_transaction tx(c);
    tx.exec("SET LOCAL TimeZone = 'UTC'");  // --since without a zone is UTC
    // A bulk tally: hash and merge joins only. On tables not yet analyzed (a day just stored)
    // the planner can misjudge a side as one row and loop over the results once per specimen.
    tx.exec("SET LOCAL enable_nestloop = off");
    AutoverificationRecords records;
    for (const auto& row : tx.exec_params(kTallies, since, text_array(counted))) {
      const std::string_view kind = row[0].c_str();
      const auto name = row[1].as<std::string>();
      const auto results = row[2].as<long long>();
      const auto released = row[3].as<long long>();
      if (kind == "s") {
        records.specimens.push_back({name, results, released, hold_firings(row[4])});
      } else {
        (kind == "t" ? records.by_test : records.by_analyzer).push_back({name, results, released});
      }
    }
    return records;
  } catch (...) {
    return error_from_current_exception("reading the automatic decisions for the report");
  }
}

}  // namespace hemalink::report
